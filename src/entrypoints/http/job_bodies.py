"""Turning jobs into their JSON bodies, and list cursors into text and back."""

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Request

from application.common.ports import Clock
from domain.job_status import JobStatus
from domain.jobs import Job
from entrypoints.http.links import LinkBuilder
from entrypoints.http.schemas import JobBody, ProgressBody, ResultBody


class InvalidQuery(ValueError):
    """A query parameter that cannot be understood (answered with 400)."""


class JobPresenter:
    """Jobs as the API shows them: absolute URLs, and a ``resultUrl`` only while it works."""

    def __init__(self, links: LinkBuilder, clock: Clock) -> None:
        self._links = links
        self._clock = clock

    def body(self, request: Request[Any, Any, Any], job: Job) -> JobBody:
        """The JSON body of ``job``."""
        available = job.result_is_available(self._clock.now())
        return job_body(job, self._links.job_status(request, job.id), result_available=available)


def parse_status(value: str | None) -> JobStatus | None:
    """The ``status`` filter: one of the five statuses, exactly as spelt in the API."""
    if value is None:
        return None
    try:
        return JobStatus(value)
    except ValueError:
        allowed = ", ".join(status.value for status in JobStatus)
        raise InvalidQuery(f"'status' must be one of: {allowed}.") from None


def rfc3339(moment: datetime | None) -> str | None:
    """``2026-01-02T03:04:05.123456Z``, or ``None``."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def job_body(job: Job, status_url: str, *, result_available: bool) -> JobBody:
    """The JSON body of ``job``; ``resultUrl`` only while its file can be downloaded."""
    result = job.result
    return JobBody(
        job_id=job.id,
        report_id=job.report_id,
        status=job.status,
        format=job.format.value,
        created_at=rfc3339(job.created_at) or "",
        started_at=rfc3339(job.started_at),
        finished_at=rfc3339(job.finished_at),
        progress=ProgressBody(rows_written=job.rows_written, percent=job.progress_percent),
        error=job.error,
        result_url=f"{status_url}/result" if result_available else None,
        expires_at=rfc3339(job.expires_at),
        result=None
        if result is None or not result_available
        else ResultBody(
            file_name=result.file_name,
            content_type=result.content_type,
            size_bytes=result.size_bytes,
            sha256=result.sha256,
            row_count=result.row_count,
        ),
        callback_url=None if job.callback is None else job.callback.url,
    )


def encode_cursor(position: tuple[datetime, str]) -> str:
    """An opaque cursor for the job after which the next page starts."""
    raw = msgspec.json.encode([position[0].isoformat(), position[1]])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The position in ``cursor``; ``InvalidQuery`` for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, job_id = msgspec.json.decode(raw, type=tuple[str, str])
        moment = datetime.fromisoformat(created_at)
    except (binascii.Error, msgspec.DecodeError, msgspec.ValidationError, ValueError) as exc:
        raise InvalidQuery("The cursor is not valid.") from exc
    if moment.tzinfo is None or not job_id.isprintable():
        raise InvalidQuery("The cursor is not valid.")
    return moment, job_id
