"""The JSON bodies of the HTTP API, as msgspec Structs (camelCase on the wire)."""

from typing import Any

import msgspec

from domain.job_status import JobStatus


class GenerateReportBody(msgspec.Struct, forbid_unknown_fields=True, rename="camel"):
    """Optional body of ``POST /api/v1/reports/{reportId}/generate``."""

    parameters: dict[str, Any] = msgspec.field(default_factory=dict)
    format: str | None = None


class JobAcceptedBody(msgspec.Struct, rename="camel"):
    """The 202 answer: the job's id and the absolute URL to poll."""

    job_id: str
    status_url: str


class ErrorBody(msgspec.Struct):
    """Every error answer: one human-readable sentence."""

    error: str


class HealthBody(msgspec.Struct, omit_defaults=True):
    """Liveness and readiness answers; ``error`` says what is not ready."""

    status: str
    checks: dict[str, str] = msgspec.field(default_factory=dict)
    error: str | None = None


class ProgressBody(msgspec.Struct, rename="camel"):
    """How far a job got: rows written, and a percentage where the total is known."""

    rows_written: int
    percent: float | None = None


class ResultBody(msgspec.Struct, rename="camel"):
    """The file a succeeded job produced."""

    file_name: str
    content_type: str
    size_bytes: int
    sha256: str
    row_count: int


class JobBody(msgspec.Struct, rename="camel"):
    """A job as ``GET /api/v1/jobs/{jobId}`` answers it (timestamps RFC 3339, UTC)."""

    job_id: str
    report_id: str
    status: JobStatus
    format: str
    created_at: str
    started_at: str | None
    finished_at: str | None
    progress: ProgressBody
    error: str | None
    result_url: str | None
    expires_at: str | None
    result: ResultBody | None


class JobPageBody(msgspec.Struct):
    """A page of jobs, newest first; ``next`` is the URL of the next page, if any."""

    jobs: list[JobBody]
    next: str | None
