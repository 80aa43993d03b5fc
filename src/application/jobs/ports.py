"""The ports of jobs: where they are recorded, and the scheduler that delivers them."""

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from domain.job_status import JobStatus
from domain.jobs import Job


@dataclass(frozen=True, slots=True)
class JobMessage:
    """What the scheduler carries to a worker: which job, and when it was requested.

    ``delivery`` counts the runs of the job that started before this hand-over (its
    ``attempts``): a scheduler keeps one queue entry per delivery, so a job whose
    worker died mid-run is queued again even though its first entry is still held.
    """

    job_id: str
    requested_at: datetime
    delivery: int = 0


class JobOutcome(StrEnum):
    """What one delivery of a job came to."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    RETRY_LATER = "retry_later"
    DROPPED = "dropped"
    ALREADY_HANDLED = "already_handled"


@dataclass(frozen=True, slots=True)
class JobRun:
    """The outcome of one delivery, and when to deliver the job again if ``RETRY_LATER``."""

    outcome: JobOutcome
    retry_in: timedelta | None = None
    report_id: str | None = None
    """The job's report, when the delivery ran it (for the worker's metrics)."""
    rows: int | None = None
    """The rows the run wrote (all of them, when it succeeded)."""


class JobRunWatcher(Protocol):
    """Told when a worker starts running a job's report (its metrics)."""

    def run_started(self, report_id: str) -> None:
        """A run of ``report_id`` starts."""
        ...


class RunTracer(Protocol):
    """Traces a job's run (OpenTelemetry), joined to the request that created the job."""

    def job_run(self, job: Job) -> AbstractContextManager[None]:
        """The block that runs ``job``."""
        ...


JobHandler = Callable[[JobMessage], Awaitable[JobRun]]
"""Runs one delivered job (``RunReportJobUseCase.execute``); what a scheduler delivers to."""


@dataclass(frozen=True, slots=True)
class JobQuery:
    """Which jobs to list, and the page: ``before`` is the last job of the previous page."""

    requested_by: str | None
    status: JobStatus | None = None
    report_id: str | None = None
    before: tuple[datetime, str] | None = None
    limit: int = 50


class JobRepository(Protocol):
    """Job execution records, read and written inside a unit of work."""

    async def add(self, *jobs: Job) -> None:
        """Write new jobs, in one statement; visible to others only once the unit of
        work commits."""
        ...

    async def get(self, job_id: str) -> Job | None:
        """The job with that id, or ``None``."""
        ...

    async def save(self, job: Job, *, if_status: JobStatus, if_attempts: int | None = None) -> bool:
        """Write back everything but the identity and the request, only if the stored
        job still has status ``if_status`` (and, if given, ``if_attempts`` attempts);
        returns whether it was written.

        Of two writers that read the same status, exactly one succeeds: a claim
        wins once, and a cancellation wins over a worker's later writes. A run's
        writes name its attempt: a run whose job was taken from it (its lease
        expired, another worker claimed it) can no longer write.
        """
        ...

    async def find(self, query: JobQuery) -> list[Job]:
        """Jobs matching ``query``, newest first (``created_at``, then ``id``, descending)."""
        ...

    async def with_expired_lease(self, now: datetime, limit: int) -> list[Job]:
        """``Running`` jobs whose worker has not renewed its lease by ``now``."""
        ...

    async def due(self, now: datetime, limit: int) -> list[Job]:
        """``Queued`` jobs not waiting for a backoff at ``now``, oldest first: the
        embedded mode's queue."""
        ...

    async def queued_before(self, moment: datetime, limit: int) -> list[Job]:
        """``Queued`` jobs created before ``moment``, oldest first."""
        ...

    async def queued_after(self, after: tuple[datetime, str] | None, limit: int) -> list[Job]:
        """``Queued`` jobs after ``after`` (a job's ``(created_at, id)``; ``None``: from the
        first), oldest first: a cursor over every queued job."""
        ...

    async def with_expired_result(self, now: datetime, limit: int) -> list[Job]:
        """``Succeeded`` jobs that still hold a result whose ``expires_at`` is past."""
        ...


class JobScheduler(Protocol):
    """Hands jobs to workers: arq on Redis, or an in-process runner."""

    async def enqueue(self, message: JobMessage) -> None:
        """Queue the job under its own id; ``SchedulerUnavailable`` on failure,
        ``JobAlreadyQueued`` when the scheduler already holds it."""
        ...

    async def enqueue_new(self, messages: Sequence[JobMessage]) -> None:
        """Queue jobs never queued before (fresh random ids) in one round trip, all or
        none; ``SchedulerUnavailable`` on failure."""
        ...

    async def ping(self) -> None:
        """Check that the scheduler answers; raise ``SchedulerUnavailable`` if not."""
        ...

    async def unqueued(self, messages: Sequence[JobMessage]) -> list[JobMessage]:
        """Of ``messages`` (jobs ``Queued`` in their records, ``delivery`` their attempts),
        those the scheduler holds no entry for that a worker will take: lost with the
        queue's data. One round trip; ``SchedulerUnavailable`` on failure."""
        ...

    async def queue_intact(self) -> bool:
        """Whether the scheduler still holds its data since ``confirm_queue`` was last
        called (``False``: it restarted empty or was emptied; every queued job is to be
        checked). ``SchedulerUnavailable`` on failure."""
        ...

    async def confirm_queue(self) -> None:
        """Note that every queued job has its entry now (after a check of all of them)."""
        ...

    async def start(self) -> None:
        """Begin delivering (an in-process runner starts its workers and housekeeping)."""
        ...

    async def stop(self) -> None:
        """Stop delivering and release connections; safe to call when never started."""
        ...
