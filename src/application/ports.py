"""The ports: what the use cases need from the outside, as small protocols.

Each is implemented by an adapter named for its technology and, in tests, by a
hand-written fake in ``tests/fakes.py``.
"""

from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from domain.jobs import Job, JobStatus
from domain.principal import Principal
from domain.reports import ReportConfiguration


@dataclass(frozen=True, slots=True)
class JobMessage:
    """What the scheduler carries to a worker: which job, and when it was requested."""

    job_id: str
    requested_at: datetime


@dataclass(frozen=True, slots=True)
class JobQuery:
    """Which jobs to list, and the page: ``before`` is the last job of the previous page."""

    requested_by: str | None
    status: JobStatus | None = None
    report_id: str | None = None
    before: tuple[datetime, str] | None = None
    limit: int = 50


class Clock(Protocol):
    """The current time, always timezone-aware UTC."""

    def now(self) -> datetime:
        """Now, in UTC."""
        ...


class TokenVerifier(Protocol):
    """Turns a bearer token into the principal it vouches for."""

    def verify(self, token: str) -> Principal:
        """Return the token's principal; raise ``AuthenticationFailed`` if it is not valid."""
        ...


class ReportRepository(Protocol):
    """Report configurations, read and written inside a unit of work."""

    async def get(self, report_id: str) -> ReportConfiguration | None:
        """The report with that id, or ``None``."""
        ...

    async def add(self, report: ReportConfiguration) -> None:
        """Stage a new report configuration."""
        ...

    async def all(self) -> list[ReportConfiguration]:
        """Every report configuration, by id."""
        ...

    async def replace(self, report: ReportConfiguration, *, expected_version: int) -> bool:
        """Overwrite the stored report (its ``created_at`` is kept) if it is still at
        ``expected_version``; returns whether it was."""
        ...

    async def remove(self, report_id: str, *, expected_version: int) -> bool:
        """Delete the report if it is still at ``expected_version``; returns whether it was."""
        ...


@dataclass(frozen=True, slots=True)
class ReportChange:
    """One entry of a report's audit trail: who created, changed or deleted it, and when."""

    report_id: str
    action: str  # "created", "updated" or "deleted"
    actor: str
    at: datetime
    version: int
    report: ReportConfiguration | None  # the configuration as saved; None once deleted


class ReportHistory(Protocol):
    """The audit trail of report configurations; it outlives the reports themselves."""

    async def record(self, change: ReportChange) -> None:
        """Append ``change`` inside the open transaction."""
        ...

    async def of(self, report_id: str) -> list[ReportChange]:
        """The changes of one report, oldest first."""
        ...


class JobRepository(Protocol):
    """Job execution records, read and written inside a unit of work."""

    async def add(self, job: Job) -> None:
        """Write a new job; visible to others only once the unit of work commits."""
        ...

    async def get(self, job_id: str) -> Job | None:
        """The job with that id, or ``None``."""
        ...

    async def update(self, job: Job, *, expected_status: JobStatus | None = None) -> bool:
        """Write back everything but the identity and the request.

        With ``expected_status``, only if the stored job still has that status
        (a claim, or a worker's write that a cancellation must win over).
        Returns whether the row was written.
        """
        ...

    async def find(self, query: JobQuery) -> list[Job]:
        """Jobs matching ``query``, newest first (``created_at``, then ``id``, descending)."""
        ...

    async def with_expired_lease(self, now: datetime, limit: int) -> list[Job]:
        """``Running`` jobs whose worker has not renewed its lease by ``now``."""
        ...

    async def queued_before(self, moment: datetime, limit: int) -> list[Job]:
        """``Queued`` jobs created before ``moment``, oldest first."""
        ...

    async def with_expired_result(self, now: datetime, limit: int) -> list[Job]:
        """``Succeeded`` jobs that still hold a result whose ``expires_at`` is past."""
        ...


class UnitOfWork(Protocol):
    """One transaction: rolled back on leaving unless ``commit`` was called.

    Every method raises ``StorageUnavailable`` when the database fails.
    """

    @property
    def reports(self) -> ReportRepository:
        """The report configurations, in this transaction."""
        ...

    @property
    def jobs(self) -> JobRepository:
        """The jobs, in this transaction."""
        ...

    @property
    def history(self) -> ReportHistory:
        """The audit trail of report configurations, in this transaction."""
        ...

    async def __aenter__(self) -> Self:
        """Begin the transaction."""
        ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed, and release the connection."""
        ...

    async def commit(self) -> None:
        """Make the staged work durable and visible."""
        ...


class JobScheduler(Protocol):
    """Hands jobs to workers: arq on Redis, or an in-process runner."""

    async def enqueue(self, message: JobMessage) -> None:
        """Queue the job under its own id; raise ``SchedulerUnavailable`` on failure."""
        ...

    async def ping(self) -> None:
        """Check that the scheduler answers; raise ``SchedulerUnavailable`` if not."""
        ...
