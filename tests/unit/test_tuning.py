"""The tuning knobs of Settings: every timeout and job timing is one REPORTGEN_* variable."""

import re
from datetime import timedelta
from pathlib import Path

import pytest

from application.jobs.policy import JobPolicy, SweepPolicy
from entrypoints.settings import Settings, SettingsError
from entrypoints.tuning import Limits, Timeouts

README = Path(__file__).resolve().parents[2] / "README.md"

KNOBS = {
    "REPORTGEN_DATABASE_TIMEOUT_SECONDS": ("0.5", lambda s: s.timeouts.database, 0.5),
    "REPORTGEN_QUEUE_TIMEOUT_SECONDS": ("3", lambda s: s.timeouts.queue, 3),
    "REPORTGEN_DATA_SOURCE_TIMEOUT_SECONDS": ("30", lambda s: s.timeouts.data_source, 30),
    "REPORTGEN_READINESS_TIMEOUT_SECONDS": ("4", lambda s: s.timeouts.readiness, 4),
    "REPORTGEN_RESULT_STORE_TIMEOUT_SECONDS": ("12", lambda s: s.timeouts.result_store, 12),
    "REPORTGEN_JWT_LEEWAY_SECONDS": ("0", lambda s: s.timeouts.jwt_leeway, 0),
    "REPORTGEN_JWT_MAX_LIFETIME_SECONDS": ("600", lambda s: s.timeouts.jwt_max_lifetime, 600),
    "REPORTGEN_JOB_LEASE_SECONDS": ("600", lambda s: s.jobs.lease, 600),
    "REPORTGEN_JOB_HEARTBEAT_SECONDS": ("2.5", lambda s: s.jobs.heartbeat_interval, 2.5),
    "REPORTGEN_JOB_MAX_ATTEMPTS": ("5", lambda s: s.jobs.max_attempts, 5),
    "REPORTGEN_JOB_RETRY_SECONDS": ("1", lambda s: s.jobs.first_retry, 1),
    "REPORTGEN_JOB_MAX_RETRY_SECONDS": ("60", lambda s: s.jobs.max_retry, 60),
    "REPORTGEN_JOB_STORAGE_RETRY_SECONDS": ("10", lambda s: s.jobs.storage_retry, 10),
    "REPORTGEN_JOB_GRACE_SECONDS": ("90", lambda s: s.jobs.row_grace_period, 90),
    "REPORTGEN_JOB_MISSING_RETRY_SECONDS": ("0.2", lambda s: s.jobs.missing_row_retry, 0.2),
    "REPORTGEN_RESULT_TTL_SECONDS": ("3600", lambda s: s.jobs.result_ttl, 3600),
    "REPORTGEN_JOB_BATCH_ROWS": ("1000", lambda s: s.jobs.batch_rows, 1000),
    "REPORTGEN_JOB_TIMEOUT_SECONDS": ("900", lambda s: s.jobs.runtime_limit, 900),
    "REPORTGEN_REPORT_TIMEOUT_SECONDS": ("60", lambda s: s.jobs.query_timeout, 60),
    "REPORTGEN_REPORT_MAX_ROWS": ("1000", lambda s: s.jobs.max_rows, 1000),
    "REPORTGEN_REPORT_MAX_BYTES": ("68719476736", lambda s: s.jobs.max_bytes, 2**36),
    "REPORTGEN_EMBEDDED_WORKERS": ("3", lambda s: s.limits.embedded_workers, 3),
    "REPORTGEN_EMBEDDED_CONCURRENCY": ("4", lambda s: s.limits.embedded_concurrency, 4),
    "REPORTGEN_EMBEDDED_POLL_SECONDS": ("0.2", lambda s: s.timeouts.embedded_poll, 0.2),
    "REPORTGEN_WORKER_POLL_SECONDS": ("0.5", lambda s: s.timeouts.worker_poll, 0.5),
    "REPORTGEN_WORKER_GRACE_SECONDS": ("0", lambda s: s.timeouts.worker_grace, 0),
    "REPORTGEN_INTAKE_BATCH": ("50", lambda s: s.limits.intake_batch, 50),
    "REPORTGEN_TOKEN_CACHE_SIZE": ("5", lambda s: s.limits.token_cache_size, 5),
    "REPORTGEN_GENERATE_RATE_PER_MINUTE": ("60", lambda s: s.limits.generate_rate_per_minute, 60),
    "REPORTGEN_MAX_UNFINISHED_JOBS_PER_CALLER": (
        "20",
        lambda s: s.limits.max_unfinished_jobs_per_caller,
        20,
    ),
    "REPORTGEN_CLIENT_HEADER_TIMEOUT_SECONDS": ("3", lambda s: s.timeouts.client_header, 3),
    "REPORTGEN_CLIENT_BODY_TIMEOUT_SECONDS": ("60", lambda s: s.timeouts.client_body, 60),
    "REPORTGEN_KEEP_ALIVE_SECONDS": ("2", lambda s: s.timeouts.keep_alive, 2),
    "REPORTGEN_MAX_HEADER_BYTES": ("16384", lambda s: s.limits.max_header_bytes, 16384),
    "REPORTGEN_REPORT_REFRESH_SECONDS": ("2", lambda s: s.timeouts.report_refresh, 2),
    "REPORTGEN_MAX_PAGE_SIZE": ("25", lambda s: s.limits.max_page_size, 25),
    "REPORTGEN_SWEEP_INTERVAL_SECONDS": ("10", lambda s: s.sweep.interval, 10),
    "REPORTGEN_SWEEP_REDELIVER_AFTER_SECONDS": ("30", lambda s: s.sweep.redeliver_after, 30),
    "REPORTGEN_SWEEP_BATCH": ("500", lambda s: s.sweep.batch, 500),
    "REPORTGEN_SERVE_GRACE_SECONDS": ("5", lambda s: s.timeouts.serve_grace, 5),
    "REPORTGEN_MAX_HELD_REQUESTS_PER_CALLER": (
        "7",
        lambda s: s.limits.max_held_requests_per_caller,
        7,
    ),
    "REPORTGEN_WEBHOOK_CONCURRENCY": ("4", lambda s: s.limits.webhook_concurrency, 4),
}


def read(tmp_path: Path, **variables: str) -> Settings:
    return Settings.from_env({"REPORTGEN_DATA_DIR": str(tmp_path), **variables})


def test_without_variables_every_knob_has_its_documented_default(tmp_path: Path) -> None:
    settings = read(tmp_path)

    assert settings.timeouts == Timeouts()
    assert settings.jobs == JobPolicy()
    assert settings.sweep == SweepPolicy()
    assert settings.limits == Limits()
    assert (settings.timeouts.database, settings.timeouts.queue) == (
        timedelta(seconds=2),
        timedelta(seconds=1.5),
    )
    assert (settings.jobs.lease, settings.jobs.max_attempts) == (timedelta(minutes=2), 3)
    assert (settings.sweep.interval, settings.limits.max_page_size) == (timedelta(minutes=1), 100)


@pytest.mark.parametrize("variable", KNOBS)
def test_each_knob_is_read_from_its_variable(tmp_path: Path, variable: str) -> None:
    text, field, expected = KNOBS[variable]

    value = field(read(tmp_path, **{variable: text}))

    wanted = timedelta(seconds=expected) if isinstance(value, timedelta) else expected
    assert value == wanted


def test_every_knob_is_documented_in_the_readme_configuration_table() -> None:
    documented = set(re.findall(r"^\| `(REPORTGEN_[A-Z_]+)`", README.read_text(), re.MULTILINE))

    assert set(KNOBS) <= documented


@pytest.mark.parametrize(
    ("variable", "text"),
    [
        ("REPORTGEN_DATABASE_TIMEOUT_SECONDS", "0"),
        ("REPORTGEN_QUEUE_TIMEOUT_SECONDS", "-1"),
        ("REPORTGEN_JOB_LEASE_SECONDS", "two minutes"),
        ("REPORTGEN_JWT_LEEWAY_SECONDS", "-5"),
        ("REPORTGEN_JOB_MAX_ATTEMPTS", "0"),
        ("REPORTGEN_JOB_MAX_ATTEMPTS", "2.5"),
        ("REPORTGEN_EMBEDDED_WORKERS", "0"),
        ("REPORTGEN_SWEEP_BATCH", "many"),
        ("REPORTGEN_MAX_PAGE_SIZE", "101"),
        ("REPORTGEN_SWEEP_INTERVAL_SECONDS", "45"),
        ("REPORTGEN_SWEEP_INTERVAL_SECONDS", "90"),
        ("REPORTGEN_SWEEP_INTERVAL_SECONDS", "2.5"),
        ("REPORTGEN_SWEEP_INTERVAL_SECONDS", "7200"),
        ("REPORTGEN_RESULT_TTL_SECONDS", "nan"),
        ("REPORTGEN_REPORT_TIMEOUT_SECONDS", "0"),
        ("REPORTGEN_REPORT_MAX_ROWS", "-1"),
        ("REPORTGEN_REPORT_MAX_BYTES", "1e9"),
        ("REPORTGEN_SERVE_GRACE_SECONDS", "-1"),
        ("REPORTGEN_MAX_HELD_REQUESTS_PER_CALLER", "0"),
        ("REPORTGEN_WEBHOOK_CONCURRENCY", "0"),
        ("REPORTGEN_WEBHOOK_CONCURRENCY", "lots"),
    ],
)
def test_a_bad_knob_stops_the_program_naming_its_variable(
    tmp_path: Path, variable: str, text: str
) -> None:
    with pytest.raises(SettingsError, match=variable):
        read(tmp_path, **{variable: text})


@pytest.mark.parametrize("seconds", ["1", "5", "30", "60", "120", "900", "3600"])
def test_a_sweep_interval_that_repeats_on_the_clock_is_accepted(
    tmp_path: Path, seconds: str
) -> None:
    settings = read(tmp_path, REPORTGEN_SWEEP_INTERVAL_SECONDS=seconds)

    assert settings.sweep.interval == timedelta(seconds=int(seconds))


@pytest.mark.parametrize(
    "variable", ["REPORTGEN_GENERATE_RATE_PER_MINUTE", "REPORTGEN_MAX_UNFINISHED_JOBS_PER_CALLER"]
)
def test_the_per_caller_limits_are_counts_and_zero_turns_them_off(
    tmp_path: Path, variable: str
) -> None:
    limits = read(tmp_path, **{variable: "0"}).limits
    assert 0 in (limits.generate_rate_per_minute, limits.max_unfinished_jobs_per_caller)
    assert (Limits().generate_rate_per_minute, Limits().max_unfinished_jobs_per_caller) == (
        600,
        1000,
    )
    for text in ("-1", "ten", "1.5"):
        with pytest.raises(SettingsError, match=f"^{variable} must be a whole number, at least 0"):
            read(tmp_path, **{variable: text})
