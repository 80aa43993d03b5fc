"""The ports that tell waiting callers a job changed: announced by whoever writes the
job, heard by the processes that answer ``?wait=N`` and the job's event stream."""

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from domain.job_status import JobStatus


@dataclass(frozen=True, slots=True)
class JobChange:
    """A job's record was written: its status and the rows written so far."""

    job_id: str
    status: JobStatus
    rows_written: int


class JobChangeAnnouncer(Protocol):
    """Tells every process that waits on jobs that some changed (Redis pub/sub, a local
    socket). Best effort: it never raises and never waits long; a change that is lost
    costs a waiter its timeout, never a wrong answer (waiters read the record)."""

    async def announce(self, changes: Sequence[JobChange]) -> None:
        """Announce ``changes``, after the transaction that made them committed."""
        ...


class JobChanges(Protocol):
    """The changes of one job, as they are announced after ``JobChangeFeed.watch``."""

    async def next(self, within: float) -> JobChange | None:
        """The next change of the job, or ``None`` after ``within`` seconds without one,
        and at once when the watch is ``closing``."""
        ...

    @property
    def closing(self) -> bool:
        """Whether the process is stopping: a waiter answers with what it has now instead
        of holding its caller (who asks again, perhaps of another process)."""
        ...


class JobChangeFeed(Protocol):
    """Hears the announced changes of jobs; a watcher costs no database reads."""

    def watch(self, job_id: str) -> AbstractAsyncContextManager[JobChanges]:
        """Changes of ``job_id`` announced from now on, until the block ends."""
        ...
