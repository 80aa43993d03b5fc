"""The tuning knobs of ``Settings``: timeouts, job timings, limits and pages.

Each knob is one ``REPORTGEN_*`` variable, read by ``read_tuning``; the README's
configuration table lists them with these defaults.
"""

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from application.common.paging import PAGE_SIZE_CEILING
from application.jobs.policy import JobPolicy, SweepPolicy


class SettingsError(ValueError):
    """A setting is missing or wrong; the message names the variable."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeouts:
    """How long the service waits for what it depends on before it gives up."""

    database: timedelta = timedelta(seconds=2)
    """Connecting, waiting for a pooled connection or a turn to write, one statement."""
    queue: timedelta = timedelta(seconds=1.5)
    """One call to Redis: enqueueing a job, a readiness check."""
    data_source: timedelta = timedelta(seconds=5)
    """Connecting to a report's data source, checking a saved query and its login."""
    readiness: timedelta = timedelta(seconds=2)
    """All of ``GET /health/ready``."""
    result_store: timedelta = timedelta(seconds=30)
    """One request to an object-store result store (s3://), its retries included."""
    jwt_leeway: timedelta = timedelta(seconds=30)
    """Clock skew allowed when checking a token's ``exp`` and ``nbf``."""
    jwt_max_lifetime: timedelta = timedelta(hours=24)
    """The longest a token may live: its ``exp`` at most this far from ``iat`` and now."""
    report_refresh: timedelta = timedelta(seconds=1)
    """How late a process sees a report configuration another process changed."""
    embedded_poll: timedelta = timedelta(seconds=0.05)
    """How often an idle embedded runner looks for a queued job (when not woken up)."""
    worker_poll: timedelta = timedelta(seconds=0.05)
    """How often an arq worker looks for queued jobs (arq's ``poll_delay``)."""
    worker_grace: timedelta = timedelta(seconds=30)
    """How long an arq worker told to stop waits for its running jobs before it gives
    them back to the queue."""
    serve_grace: timedelta = timedelta(seconds=30)
    """How long ``reportgen serve`` told to stop lets open requests finish (downloads,
    bodies still arriving; held waits and event streams are let go at once) before it
    closes their connections."""
    client_header: timedelta = timedelta(seconds=10)
    """How long a client has to send a request's head, from its connection or last answer."""
    client_body: timedelta = timedelta(seconds=30)
    """How long a client has to send a request's body, once its head has come."""
    keep_alive: timedelta = timedelta(seconds=5)
    """How long an idle connection is kept open after an answer."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """How much the service takes on at once, and how long a job may run."""

    embedded_workers: int = 1
    """Worker processes ``reportgen serve`` starts to run the jobs (no Redis)."""
    embedded_concurrency: int = 2
    """Jobs each embedded worker process (no Redis) runs at once."""
    max_page_size: int = PAGE_SIZE_CEILING
    """The most items one page of a list holds (at most 100)."""
    intake_batch: int = 500
    """The most new jobs one commit of the write path holds."""
    token_cache_size: int = 10_000
    """Verified tokens kept (until they expire) so that each is verified once."""
    generate_rate_per_minute: int = 600
    """Jobs one caller may create in any minute (0: no limit)."""
    max_unfinished_jobs_per_caller: int = 1000
    """Jobs of one caller that may be queued or running at once (0: no limit)."""
    max_held_requests_per_caller: int = 100
    """Requests one caller may hold open at once on each API process: ``?wait=N`` and
    event streams (over it, 429)."""
    max_header_bytes: int = 64 * 1024
    """The largest request head (request line and headers) the server reads."""
    webhook_concurrency: int = 16
    """Completion webhooks one process sends at once; the others wait their turn."""


# Each knob: the variable's name after REPORTGEN_, the section, the field, its kind.
_KNOBS: tuple[tuple[str, str, str, str], ...] = (
    ("DATABASE_TIMEOUT_SECONDS", "timeouts", "database", "seconds"),
    ("QUEUE_TIMEOUT_SECONDS", "timeouts", "queue", "seconds"),
    ("DATA_SOURCE_TIMEOUT_SECONDS", "timeouts", "data_source", "seconds"),
    ("READINESS_TIMEOUT_SECONDS", "timeouts", "readiness", "seconds"),
    ("RESULT_STORE_TIMEOUT_SECONDS", "timeouts", "result_store", "seconds"),
    ("JWT_LEEWAY_SECONDS", "timeouts", "jwt_leeway", "seconds_or_zero"),
    ("JWT_MAX_LIFETIME_SECONDS", "timeouts", "jwt_max_lifetime", "seconds"),
    ("REPORT_REFRESH_SECONDS", "timeouts", "report_refresh", "seconds"),
    ("JOB_LEASE_SECONDS", "jobs", "lease", "seconds"),
    ("JOB_HEARTBEAT_SECONDS", "jobs", "heartbeat_interval", "seconds"),
    ("JOB_MAX_ATTEMPTS", "jobs", "max_attempts", "count"),
    ("JOB_RETRY_SECONDS", "jobs", "first_retry", "seconds"),
    ("JOB_MAX_RETRY_SECONDS", "jobs", "max_retry", "seconds"),
    ("JOB_STORAGE_RETRY_SECONDS", "jobs", "storage_retry", "seconds"),
    ("JOB_GRACE_SECONDS", "jobs", "row_grace_period", "seconds"),
    ("JOB_MISSING_RETRY_SECONDS", "jobs", "missing_row_retry", "seconds"),
    ("RESULT_TTL_SECONDS", "jobs", "result_ttl", "seconds"),
    ("JOB_BATCH_ROWS", "jobs", "batch_rows", "count"),
    ("JOB_TIMEOUT_SECONDS", "jobs", "runtime_limit", "seconds"),
    ("REPORT_TIMEOUT_SECONDS", "jobs", "query_timeout", "seconds"),
    ("REPORT_MAX_ROWS", "jobs", "max_rows", "count"),
    ("REPORT_MAX_BYTES", "jobs", "max_bytes", "bytes"),
    ("EMBEDDED_WORKERS", "limits", "embedded_workers", "count"),
    ("EMBEDDED_CONCURRENCY", "limits", "embedded_concurrency", "count"),
    ("EMBEDDED_POLL_SECONDS", "timeouts", "embedded_poll", "seconds"),
    ("WORKER_POLL_SECONDS", "timeouts", "worker_poll", "seconds"),
    ("WORKER_GRACE_SECONDS", "timeouts", "worker_grace", "seconds_or_zero"),
    ("SERVE_GRACE_SECONDS", "timeouts", "serve_grace", "seconds_or_zero"),
    ("MAX_PAGE_SIZE", "limits", "max_page_size", "count"),
    ("INTAKE_BATCH", "limits", "intake_batch", "count"),
    ("TOKEN_CACHE_SIZE", "limits", "token_cache_size", "count"),
    ("GENERATE_RATE_PER_MINUTE", "limits", "generate_rate_per_minute", "count_or_zero"),
    ("MAX_UNFINISHED_JOBS_PER_CALLER", "limits", "max_unfinished_jobs_per_caller", "count_or_zero"),
    ("CLIENT_HEADER_TIMEOUT_SECONDS", "timeouts", "client_header", "seconds"),
    ("CLIENT_BODY_TIMEOUT_SECONDS", "timeouts", "client_body", "seconds"),
    ("KEEP_ALIVE_SECONDS", "timeouts", "keep_alive", "seconds"),
    ("MAX_HEADER_BYTES", "limits", "max_header_bytes", "count"),
    ("MAX_HELD_REQUESTS_PER_CALLER", "limits", "max_held_requests_per_caller", "count"),
    ("WEBHOOK_CONCURRENCY", "limits", "webhook_concurrency", "count"),
    ("SWEEP_INTERVAL_SECONDS", "sweep", "interval", "seconds"),
    ("SWEEP_REDELIVER_AFTER_SECONDS", "sweep", "redeliver_after", "seconds"),
    ("SWEEP_BATCH", "sweep", "batch", "count"),
)

_DEFAULTS: dict[str, Any] = {
    "timeouts": Timeouts(),
    "jobs": JobPolicy(),
    "sweep": SweepPolicy(),
    "limits": Limits(),
}


def read_tuning(get: Callable[[str], str | None]) -> dict[str, Any]:
    """The four sections (``timeouts``, ``jobs``, ``sweep``, ``limits``) with every knob
    that ``get`` (a variable's name after ``REPORTGEN_``) sets; ``SettingsError`` names a
    bad one."""
    changes: dict[str, dict[str, Any]] = {section: {} for section in _DEFAULTS}
    for name, section, field, kind in _KNOBS:
        text = get(name)
        if text is not None:
            changes[section][field] = _PARSERS[kind](f"REPORTGEN_{name}", text)
    sections = {
        section: dataclasses.replace(_DEFAULTS[section], **fields)
        for section, fields in changes.items()
    }
    _check(sections)
    return sections


def _seconds(variable: str, text: str, *, zero: bool = False) -> timedelta:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (0 <= value <= 10**7) or (value == 0 and not zero):
        least = "0" if zero else "more than 0"
        raise SettingsError(f"{variable} must be a number of seconds, {least}.")
    return timedelta(seconds=value)


def _count(variable: str, text: str, *, zero: bool = False, most: int = 10**9) -> int:
    least = 0 if zero else 1
    if not text.isdigit() or not least <= int(text) <= most:
        raise SettingsError(
            f"{variable} must be a whole number, at least {least} and at most {most}."
        )
    return int(text)


_PARSERS: Mapping[str, Callable[[str, str], Any]] = {
    "seconds": _seconds,
    "seconds_or_zero": lambda variable, text: _seconds(variable, text, zero=True),
    "count": _count,
    "count_or_zero": lambda variable, text: _count(variable, text, zero=True),
    "bytes": lambda variable, text: _count(variable, text, most=10**15),
}


def _check(sections: Mapping[str, Any]) -> None:
    limits: Limits = sections["limits"]
    if limits.max_page_size > PAGE_SIZE_CEILING:
        raise SettingsError(f"REPORTGEN_MAX_PAGE_SIZE must be at most {PAGE_SIZE_CEILING}.")
    if not _fits_a_clock(sections["sweep"].interval.total_seconds()):
        raise SettingsError(
            "REPORTGEN_SWEEP_INTERVAL_SECONDS must divide a minute (1, 2, 5, 10, 30, ...) "
            "or be whole minutes that divide an hour (60, 120, 300, ...)."
        )


def _fits_a_clock(seconds: float) -> bool:
    """Whether a schedule every ``seconds`` repeats each hour at the same times (cron)."""
    whole = int(seconds)
    if whole != seconds:
        return False
    if whole < 60:
        return 60 % whole == 0
    return whole % 60 == 0 and 3600 % whole == 0
