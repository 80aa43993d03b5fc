"""Report jobs: one asynchronous generation for one caller, and the rules of its life."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from domain.callbacks import Callback
from domain.errors import InvalidJobTransition
from domain.job_results import StoredResult
from domain.job_status import JobStatus
from domain.parameters import JsonScalar
from domain.principal import Principal
from domain.reports import OutputFormat, ReportRequest

#: Why a job fails when its worker died while running it ``max_attempts`` times.
ABANDONED_REASON = "The worker running this job stopped responding."


def new_job_id() -> str:
    """BR-002: a random (version 4) UUID from the system's CSPRNG, never sequential."""
    return str(uuid.uuid4())


@dataclass(slots=True)
class Job:
    """One run of a report for one caller: its request, its status and how it got there.

    The job owns its moves between statuses; a move its status does not allow
    raises ``InvalidJobTransition``.
    """

    id: str
    report_id: str
    requested_by: str
    parameters: dict[str, JsonScalar]
    format: OutputFormat
    created_at: datetime
    status: JobStatus = JobStatus.QUEUED
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None
    rows_written: int = 0
    progress_percent: float | None = None
    attempts: int = 0
    result: StoredResult | None = None
    expires_at: datetime | None = None
    lease_expires_at: datetime | None = None
    due_at: datetime | None = None
    """A queued job given back with backoff is not run before this."""
    request_id: str | None = None
    """The id of the request that created the job: its worker's log lines carry it."""
    trace_parent: str | None = None
    """The trace context (W3C ``traceparent``) of that request, when it was traced: the
    job's run joins its trace."""
    callback: Callback | None = None
    """Where to send the completion webhook once the job ends; ``None``: nowhere."""

    @classmethod
    def queue(
        cls,
        *,
        report_id: str,
        requested_by: str,
        request: ReportRequest,
        now: datetime,
        request_id: str | None = None,
        trace_parent: str | None = None,
        callback: Callback | None = None,
    ) -> "Job":
        """A new job, ``Queued``, with a fresh random id."""
        return cls(
            id=new_job_id(),
            report_id=report_id,
            requested_by=requested_by,
            parameters=dict(request.parameters),
            format=request.format,
            created_at=now,
            request_id=request_id,
            trace_parent=trace_parent,
            callback=callback,
        )

    def start(self, now: datetime, lease_until: datetime) -> None:
        """Claim the job for a worker, which holds it until ``lease_until`` unless renewed."""
        self._move(JobStatus.RUNNING)
        self.due_at = None
        self.started_at = now
        self.attempts += 1
        self.lease_expires_at = lease_until
        self.rows_written = 0
        self.progress_percent = None

    def record_progress(
        self, rows_written: int, percent: float | None, lease_until: datetime
    ) -> None:
        """Rows written so far (and a percentage where known); renews the lease."""
        self.rows_written = rows_written
        self.progress_percent = None if percent is None else round(min(percent, 100.0), 1)
        self.lease_expires_at = lease_until

    def succeed(self, result: StoredResult, now: datetime, expires_at: datetime) -> None:
        """The file is stored: ``Running`` -> ``Succeeded``, downloadable until ``expires_at``."""
        self._move(JobStatus.SUCCEEDED)
        self.finished_at = now
        self.error = None
        self.result = result
        self.rows_written = result.row_count
        self.progress_percent = 100.0
        self.expires_at = expires_at
        self.lease_expires_at = None

    def fail(self, reason: str, now: datetime) -> None:
        """The job cannot finish; ``reason`` is shown to the client, so keep it safe."""
        self._move(JobStatus.FAILED)
        self.finished_at = now
        self.error = reason
        self.lease_expires_at = None

    def cancel(self, now: datetime) -> None:
        """The client gave up on a job that had not finished."""
        self._move(JobStatus.CANCELLED)
        self.finished_at = now
        self.lease_expires_at = None

    def requeue(self, due_at: datetime | None = None) -> None:
        """Give a running job back to the queue (a transient failure, or its worker died),
        to run again at once or from ``due_at``."""
        self._move(JobStatus.QUEUED)
        self.lease_expires_at = None
        self.due_at = due_at

    def hand_back(self) -> None:
        """Its worker is stopping in an orderly way: a running job goes back to the queue at
        once, to run again from the start (the run counts as one of its attempts)."""
        self.requeue()
        self.rows_written = 0
        self.progress_percent = None

    def is_due(self, now: datetime) -> bool:
        """``Queued`` and not waiting for a backoff to pass."""
        return self.status is JobStatus.QUEUED and (self.due_at is None or self.due_at <= now)

    def is_abandoned(self, now: datetime) -> bool:
        """``Running``, but its worker stopped renewing the lease: the worker died."""
        return (
            self.status is JobStatus.RUNNING
            and self.lease_expires_at is not None
            and self.lease_expires_at <= now
        )

    def recover_abandoned(self, now: datetime, max_attempts: int) -> None:
        """An abandoned job goes back to the queue, or fails once it used ``max_attempts``."""
        if not self.is_abandoned(now):
            raise InvalidJobTransition(f"A {self.status.value} job under lease is not abandoned.")
        self._requeue_or_give_up(ABANDONED_REASON, now, max_attempts)

    def retry_later(self, reason: str, now: datetime, max_attempts: int, due_at: datetime) -> None:
        """A transient failure (something did not answer): back to the queue until
        ``due_at``, or failed with ``reason`` once the job used ``max_attempts``."""
        self._requeue_or_give_up(
            f"{reason} Gave up after {self.attempts} attempts.", now, max_attempts, due_at
        )

    def _requeue_or_give_up(
        self, reason: str, now: datetime, max_attempts: int, due_at: datetime | None = None
    ) -> None:
        if self.attempts >= max_attempts:
            self.fail(reason, now)
        else:
            self.requeue(due_at)

    def discard_result(self) -> None:
        """The result expired and its file is deleted; the job's history stays."""
        self.result = None

    def is_visible_to(self, principal: Principal) -> bool:
        """The caller who created the job, and administrators, may see it."""
        return principal.subject == self.requested_by or principal.is_admin

    def result_is_available(self, now: datetime) -> bool:
        """A succeeded job whose file is kept and not expired."""
        return (
            self.status is JobStatus.SUCCEEDED
            and self.result is not None
            and (self.expires_at is None or now < self.expires_at)
        )

    def _move(self, target: JobStatus) -> None:
        if not self.status.may_become(target):
            raise InvalidJobTransition(f"A {self.status.value} job cannot become {target.value}.")
        self.status = target
