"""Settings.from_env: the embedded defaults, and one clear error naming each bad variable."""

from pathlib import Path

import pytest

from entrypoints.settings import Settings, SettingsError


def test_defaults_put_everything_in_the_data_dir_and_run_jobs_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    settings = Settings.from_env({})

    data_dir = (tmp_path / "var").resolve()
    assert settings.data_dir == data_dir
    assert settings.data_dir.is_absolute()
    assert settings.database_url == f"sqlite+aiosqlite:///{data_dir / 'reportgen.sqlite3'}"
    assert settings.data_sources == {"demo": f"sqlite+aiosqlite:///{data_dir / 'demo.sqlite3'}"}
    assert settings.results_url == str(data_dir / "results")
    assert settings.dev_secret_file == data_dir / "jwt-secret"
    assert settings.redis_url is None
    assert settings.scheduler_backend == "in_process"
    assert settings.jwt_secret is None
    assert settings.public_base_url is None


def test_a_redis_url_sends_the_jobs_to_arq_workers(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"REPORTGEN_DATA_DIR": str(tmp_path), "REPORTGEN_REDIS_URL": "redis://cache:6379/2"}
    )

    assert settings.redis_url == "redis://cache:6379/2"
    assert settings.scheduler_backend == "redis"


def test_blank_variables_count_as_unset(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "REPORTGEN_DATA_DIR": str(tmp_path),
            "REPORTGEN_REDIS_URL": "  ",
            "REPORTGEN_JWT_SECRET": "",
        }
    )

    assert settings.redis_url is None
    assert settings.jwt_secret is None


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "public.pem"
    path.write_text("-----BEGIN PUBLIC KEY-----\n")
    return path


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"REPORTGEN_JWT_SECRET": "too-short"}, "REPORTGEN_JWT_SECRET"),
        (
            {"REPORTGEN_JWT_SECRET": "x" * 40, "REPORTGEN_JWT_PUBLIC_KEY_FILE": "{key_file}"},
            "REPORTGEN_JWT_PUBLIC_KEY_FILE",
        ),
        ({"REPORTGEN_JWT_PUBLIC_KEY_FILE": "{missing}"}, "REPORTGEN_JWT_PUBLIC_KEY_FILE"),
        ({"REPORTGEN_DATABASE_URL": "mysql://db/reports"}, "REPORTGEN_DATABASE_URL"),
        ({"REPORTGEN_DATABASE_URL": "reports.sqlite3"}, "REPORTGEN_DATABASE_URL"),
        ({"REPORTGEN_REDIS_URL": "http://cache:6379"}, "REPORTGEN_REDIS_URL"),
        ({"REPORTGEN_PUBLIC_BASE_URL": "/reports"}, "REPORTGEN_PUBLIC_BASE_URL"),
        ({"REPORTGEN_PUBLIC_BASE_URL": "https://x.example?a=1"}, "REPORTGEN_PUBLIC_BASE_URL"),
        ({"REPORTGEN_PUBLIC_BASE_URL": "ftp://reports.example.com"}, "REPORTGEN_PUBLIC_BASE_URL"),
        (
            {"REPORTGEN_DATA_SOURCE_SALES_URL": "oracle://dw/sales"},
            "REPORTGEN_DATA_SOURCE_SALES_URL",
        ),
        ({"REPORTGEN_ACCESS_LOG": "maybe"}, "REPORTGEN_ACCESS_LOG"),
    ],
)
def test_a_bad_setting_raises_an_error_that_names_the_variable(
    tmp_path: Path, key_file: Path, variables: dict[str, str], named: str
) -> None:
    paths = {"key_file": str(key_file), "missing": str(tmp_path / "missing.pem")}
    env = {name: value.format(**paths) for name, value in variables.items()}

    with pytest.raises(SettingsError, match=named):
        Settings.from_env({"REPORTGEN_DATA_DIR": str(tmp_path), **env})


def test_an_existing_public_key_file_is_accepted(tmp_path: Path, key_file: Path) -> None:
    settings = Settings.from_env(
        {"REPORTGEN_DATA_DIR": str(tmp_path), "REPORTGEN_JWT_PUBLIC_KEY_FILE": str(key_file)}
    )

    assert settings.jwt_public_key_file == key_file
    assert settings.jwt_secret is None


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+asyncpg"])
def test_a_postgresql_url_is_given_the_asyncpg_driver(tmp_path: Path, scheme: str) -> None:
    settings = Settings.from_env(
        {
            "REPORTGEN_DATA_DIR": str(tmp_path),
            "REPORTGEN_DATABASE_URL": f"{scheme}://app:pw@db:5432/reports",
        }
    )

    assert settings.database_url == "postgresql+asyncpg://app:pw@db:5432/reports"


def test_a_data_source_variable_adds_a_named_data_source(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "REPORTGEN_DATA_DIR": str(tmp_path),
            "REPORTGEN_DATA_SOURCE_SALES_URL": "postgresql://dw/sales",
        }
    )

    assert settings.data_sources["sales"] == "postgresql+asyncpg://dw/sales"
    assert set(settings.data_sources) == {"demo", "sales"}


def test_the_public_base_url_loses_its_trailing_slash(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "REPORTGEN_DATA_DIR": str(tmp_path),
            "REPORTGEN_PUBLIC_BASE_URL": "https://reports.example.com/api/",
        }
    )

    assert settings.public_base_url == "https://reports.example.com/api"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, False), ("false", False), ("0", False), ("true", True), ("ON", True)],
)
def test_the_access_log_is_off_unless_asked_for(
    tmp_path: Path, value: str | None, expected: bool
) -> None:
    env = {"REPORTGEN_DATA_DIR": str(tmp_path)}
    if value is not None:
        env["REPORTGEN_ACCESS_LOG"] = value

    assert Settings.from_env(env).access_log is expected


@pytest.mark.parametrize(
    ("variables", "hosts"),
    [
        ({}, ("localhost", "127.0.0.1", "::1")),
        ({"REPORTGEN_PUBLIC_BASE_URL": "https://reports.example.com"}, None),
        (
            {"REPORTGEN_ALLOWED_HOSTS": "Reports.Example.com, *.internal,[::1]"},
            ("reports.example.com", "*.internal", "::1"),
        ),
        ({"REPORTGEN_ALLOWED_HOSTS": "a.example.com,*"}, None),
    ],
    ids=["default", "public-base-url", "listed", "star"],
)
def test_allowed_hosts(
    tmp_path: Path, variables: dict[str, str], hosts: tuple[str, ...] | None
) -> None:
    settings = Settings.from_env({"REPORTGEN_DATA_DIR": str(tmp_path), **variables})

    assert settings.allowed_hosts == hosts


@pytest.mark.parametrize("value", ["evil.com/path", "a b", "http://x", "*x.com", "a,,b"])
def test_allowed_hosts_that_are_no_host_names_stop_the_program(tmp_path: Path, value: str) -> None:
    with pytest.raises(SettingsError, match="REPORTGEN_ALLOWED_HOSTS"):
        Settings.from_env({"REPORTGEN_DATA_DIR": str(tmp_path), "REPORTGEN_ALLOWED_HOSTS": value})


@pytest.mark.parametrize(
    ("value", "address"),
    [
        (None, None),
        ("9464", ("127.0.0.1", 9464)),
        ("0.0.0.0:9464", ("0.0.0.0", 9464)),  # noqa: S104 - what an operator may ask for
        ("[::]:9100", ("::", 9100)),
    ],
)
def test_the_worker_metrics_address(
    tmp_path: Path, value: str | None, address: tuple[str, int] | None
) -> None:
    env = {"REPORTGEN_DATA_DIR": str(tmp_path)}
    if value is not None:
        env["REPORTGEN_WORKER_METRICS_ADDRESS"] = value
    assert Settings.from_env(env).worker_metrics_address == address


@pytest.mark.parametrize("value", ["host", "host:", "0.0.0.0:0", ":70000", "h:p"])
def test_a_worker_metrics_address_that_is_no_address_stops_the_program(
    tmp_path: Path, value: str
) -> None:
    env = {"REPORTGEN_DATA_DIR": str(tmp_path), "REPORTGEN_WORKER_METRICS_ADDRESS": value}
    with pytest.raises(SettingsError, match="REPORTGEN_WORKER_METRICS_ADDRESS"):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("variables", "tracing"),
    [
        ({}, None),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, "otlp"),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, "otlp"),
        ({"OTEL_TRACES_EXPORTER": "console"}, "console"),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, None),
    ],
)
def test_traces_are_on_only_when_an_exporter_is_configured(
    tmp_path: Path, variables: dict[str, str], tracing: str | None
) -> None:
    assert Settings.from_env({"REPORTGEN_DATA_DIR": str(tmp_path), **variables}).tracing == tracing


def test_an_unknown_trace_exporter_stops_the_program(tmp_path: Path) -> None:
    env = {"REPORTGEN_DATA_DIR": str(tmp_path), "OTEL_TRACES_EXPORTER": "zipkin"}
    with pytest.raises(SettingsError, match="OTEL_TRACES_EXPORTER"):
        Settings.from_env(env)
