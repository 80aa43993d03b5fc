"""The JSON bodies of the HTTP API, as msgspec Structs (camelCase on the wire)."""

from typing import Annotated, Any

import msgspec

from domain.job_status import JobStatus


class GenerateReportBody(msgspec.Struct, forbid_unknown_fields=True, rename="camel"):
    """Optional body of ``POST /api/v1/reports/{reportId}/generate``."""

    parameters: dict[str, Any] = msgspec.field(default_factory=dict)
    format: str | None = None
    callback_url: (
        Annotated[
            str,
            msgspec.Meta(
                description=(
                    "Where to POST the job's status document, signed as Standard Webhooks "
                    "describes, once the job ends: an absolute http(s) URL (at most 2048 "
                    "characters, no user name or password) whose host is on the operator's "
                    "allow-list."
                ),
                examples=["https://hooks.example.com/reportgen"],
            ),
        ]
        | None
    ) = None


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
    callback_url: Annotated[
        str | None, msgspec.Meta(description="The generate's `callbackUrl`, if any.")
    ] = None


class JobPageBody(msgspec.Struct):
    """A page of jobs, newest first; ``next`` is the URL of the next page, if any."""

    jobs: list[JobBody]
    next: str | None


class CallbackBody(msgspec.Struct, rename="camel"):
    """A job's completion webhook: where it goes and how its delivery stands."""

    url: str
    state: str
    attempts: int
    next_attempt_at: str | None


class DeliveryBody(msgspec.Struct, rename="camel"):
    """One attempt to deliver a job's completion webhook."""

    webhook_id: str
    attempt: int
    attempted_at: str
    status_code: int | None
    error: str | None
    outcome: str
    next_attempt_at: str | None


class JobDeliveriesBody(msgspec.Struct, rename="camel"):
    """``GET /api/v1/jobs/{jobId}/deliveries``: the job's callback and every attempt."""

    job_id: str
    callback: CallbackBody | None
    deliveries: list[DeliveryBody]
