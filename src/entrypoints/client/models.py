"""What the API answers, as typed values; unknown fields are ignored, so newer servers work."""

from datetime import datetime
from typing import Any

import msgspec

#: The statuses after which a job never changes again.
FINISHED = frozenset({"Succeeded", "Failed", "Cancelled"})


class Progress(msgspec.Struct, rename="camel"):
    """How far a job got: rows written, and a percentage where the total is known."""

    rows_written: int = 0
    percent: float | None = None


class JobResult(msgspec.Struct, rename="camel"):
    """The file a succeeded job produced."""

    file_name: str
    content_type: str
    size_bytes: int
    sha256: str
    row_count: int


class Job(msgspec.Struct, rename="camel"):
    """A job as ``GET /api/v1/jobs/{jobId}`` answers it.

    ``status`` is one of ``Queued``, ``Running``, ``Succeeded``, ``Failed``, ``Cancelled``.
    """

    job_id: str
    report_id: str
    status: str
    created_at: datetime
    format: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    progress: Progress = msgspec.field(default_factory=Progress)
    error: str | None = None
    result_url: str | None = None
    expires_at: datetime | None = None
    result: JobResult | None = None
    callback_url: str | None = None

    @property
    def is_finished(self) -> bool:
        """Whether the job has ended (``Succeeded``, ``Failed`` or ``Cancelled``)."""
        return self.status in FINISHED


class JobAccepted(msgspec.Struct, rename="camel"):
    """The 202 answer of a generate: the job's id and the URL of its status."""

    job_id: str
    status_url: str


class JobPage(msgspec.Struct):
    """A page of jobs, newest first; ``next`` is the URL of the next page, if any."""

    jobs: list[Job]
    next: str | None = None


class Parameter(msgspec.Struct, rename="camel", omit_defaults=True):
    """A parameter a report takes."""

    name: str
    type: str
    required: bool = False
    default: Any = None
    allowed_values: list[str] = msgspec.field(default_factory=list)
    description: str = ""


class DeliveryTarget(msgspec.Struct, rename="camel", omit_defaults=True):
    """Where a report goes: ``api_response`` (``mode`` async or sync) or ``email``."""

    type: str
    mode: str | None = None
    recipients: list[str] | None = None


class Report(msgspec.Struct, rename="camel", omit_defaults=True):
    """A report configuration; ``dataSource``, ``query`` and ``limits`` for admins only."""

    id: str
    name: str
    description: str = ""
    parameters: list[Parameter] = msgspec.field(default_factory=list)
    formats: list[str] = msgspec.field(default_factory=list)
    delivery_targets: list[DeliveryTarget] = msgspec.field(default_factory=list)
    allowed_roles: list[str] = msgspec.field(default_factory=list)
    version: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    data_source: str | None = None
    query: str | None = None
    limits: dict[str, Any] | None = None

    @property
    def runs_async(self) -> bool:
        """Whether ``generate`` accepts it (an asynchronous API delivery)."""
        return any(t.type == "api_response" and t.mode == "async" for t in self.delivery_targets)


class ReportPage(msgspec.Struct):
    """A page of reports by id; ``next`` is the URL of the next page, if any."""

    reports: list[Report]
    next: str | None = None
