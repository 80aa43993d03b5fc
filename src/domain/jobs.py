"""Report jobs: one asynchronous generation, its status and the moves between them."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import InvalidJobTransition
from domain.parameters import JsonScalar
from domain.reports import OutputFormat, ReportRequest


class JobStatus(StrEnum):
    """The status of a job, exactly as stored in ``JobExecutionLog.status``."""

    QUEUED = "Queued"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    CANCELLED = "Cancelled"

    @property
    def is_finished(self) -> bool:
        """Succeeded, Failed and Cancelled are final."""
        return self in _FINISHED


_FINISHED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})

_ALLOWED_MOVES: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.QUEUED: frozenset({JobStatus.RUNNING, JobStatus.CANCELLED, JobStatus.FAILED}),
    JobStatus.RUNNING: frozenset(
        {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.QUEUED}
    ),
    JobStatus.SUCCEEDED: frozenset(),
    JobStatus.FAILED: frozenset(),
    JobStatus.CANCELLED: frozenset(),
}


def new_job_id() -> str:
    """BR-002: a random (version 4) UUID from the system's CSPRNG, never sequential."""
    return str(uuid.uuid4())


@dataclass(slots=True)
class Job:
    """One run of a report for one caller, as recorded in ``JobExecutionLog``."""

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

    @classmethod
    def queue(
        cls, *, report_id: str, requested_by: str, request: ReportRequest, now: datetime
    ) -> "Job":
        """A new job, ``Queued``, with a fresh random id."""
        return cls(
            id=new_job_id(),
            report_id=report_id,
            requested_by=requested_by,
            parameters=dict(request.parameters),
            format=request.format,
            created_at=now,
        )

    def start(self, now: datetime) -> None:
        """Claim the job for a worker: ``Queued`` -> ``Running``."""
        self._move(JobStatus.RUNNING)
        self.started_at = now
        self.attempts += 1

    def succeed(self, now: datetime) -> None:
        """The file is stored: ``Running`` -> ``Succeeded``."""
        self._move(JobStatus.SUCCEEDED)
        self.finished_at = now
        self.error = None

    def fail(self, reason: str, now: datetime) -> None:
        """The job cannot finish; ``reason`` is shown to the client, so keep it safe."""
        self._move(JobStatus.FAILED)
        self.finished_at = now
        self.error = reason

    def cancel(self, now: datetime) -> None:
        """The client gave up on a job that had not finished."""
        self._move(JobStatus.CANCELLED)
        self.finished_at = now

    def _move(self, target: JobStatus) -> None:
        if target not in _ALLOWED_MOVES[self.status]:
            raise InvalidJobTransition(f"A {self.status.value} job cannot become {target.value}.")
        self.status = target
