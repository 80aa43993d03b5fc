"""The statuses of a job and the moves between them: the job's state machine."""

from enum import StrEnum


class JobStatus(StrEnum):
    """The five statuses of a job; their values are the names clients and records use."""

    QUEUED = "Queued"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    CANCELLED = "Cancelled"

    @property
    def is_finished(self) -> bool:
        """Succeeded, Failed and Cancelled are final."""
        return self in _FINISHED

    def may_become(self, target: "JobStatus") -> bool:
        """Whether a job in this status may move to ``target``."""
        return target in _ALLOWED_MOVES[self]


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
