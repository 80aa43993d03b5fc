"""REPORTGEN_RESULTS_URL: a directory or an S3 bucket; the S3 store and its AWS variables."""

from pathlib import Path

import pytest

from adapters.results.local import LocalResultStore
from adapters.results.s3 import ObstoreResultStore
from entrypoints.composition import build_result_store
from entrypoints.settings import Settings, SettingsError

AWS = {
    "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "very-secret-key-value",
    "AWS_REGION": "eu-west-1",
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9000",
}


def settings_for(tmp_path: Path, url: str, **extra: str) -> Settings:
    return Settings.from_env(
        {"REPORTGEN_DATA_DIR": str(tmp_path), "REPORTGEN_RESULTS_URL": url, **extra}
    )


@pytest.mark.parametrize(
    ("url", "bucket", "prefix"),
    [
        ("s3://reports-bucket/reportgen/results", "reports-bucket", "reportgen/results"),
        ("s3://reports-bucket/reportgen/", "reports-bucket", "reportgen"),
        ("s3://reports.bucket", "reports.bucket", ""),
    ],
)
def test_an_s3_url_names_the_bucket_and_the_prefix_of_the_results(
    tmp_path: Path, url: str, bucket: str, prefix: str
) -> None:
    settings = settings_for(tmp_path, url, **AWS, OTHER="ignored")
    assert settings.results_bucket == (bucket, prefix)
    assert settings.aws_environment == AWS
    assert isinstance(build_result_store(settings), ObstoreResultStore)


def test_a_directory_keeps_results_on_local_disk(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, f"file://{tmp_path}/kept")
    assert settings.results_bucket is None
    assert settings.results_directory == tmp_path / "kept"
    assert isinstance(build_result_store(settings), LocalResultStore)


def test_the_aws_secrets_never_show_in_the_settings(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, "s3://reports-bucket/results", **AWS)
    assert "very-secret-key-value" not in repr(settings)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://files.example.com/results",
        "gs://reports-bucket/results",
        "s3://",
        "s3://Not_A_Bucket/results",
        "s3://key:very-secret-key-value@reports-bucket/results",
        "s3://reports-bucket/results?versioning=1",
    ],
)
def test_other_result_urls_are_refused_with_a_line_naming_the_variable(
    tmp_path: Path, url: str
) -> None:
    with pytest.raises(SettingsError, match="REPORTGEN_RESULTS_URL") as refused:
        settings_for(tmp_path, url)
    assert "very-secret-key-value" not in str(refused.value)


def test_the_result_store_timeout_is_a_knob(tmp_path: Path) -> None:
    settings = settings_for(
        tmp_path, "s3://reports-bucket", REPORTGEN_RESULT_STORE_TIMEOUT_SECONDS="7.5"
    )
    assert settings.timeouts.result_store.total_seconds() == 7.5
