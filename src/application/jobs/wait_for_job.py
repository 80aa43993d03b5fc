"""Wait for a job to end: the use case behind ``?wait=N`` and ``Prefer: wait=N``."""

import time
from dataclasses import dataclass
from datetime import timedelta

from application.common.ports import UnitOfWork
from application.jobs.change_ports import JobChangeFeed
from application.jobs.job_records import visible_job
from domain.jobs import Job
from domain.principal import Principal

#: The longest a caller may wait for a job in one request.
LONGEST_WAIT = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class WaitForJobQuery:
    """A caller asks for a job, ready to wait up to ``wait`` for it to end."""

    principal: Principal
    job_id: str
    wait: timedelta


class WaitForJobUseCase:
    """Return a job as soon as it has ended, or as it is after the wait.

    Business rules:
    - The same visibility as reading the job (``GetJobUseCase``): ``PermissionDenied``,
      or ``JobNotFound`` for another caller's job, before any wait.
    - A wait is at most ``LONGEST_WAIT``; a job already ended is answered at once.
    - Waiting costs no database reads: the waiter is woken by the announcement of
      the job's change, then reads the record once. A lost announcement costs the
      waiter its wait, never a stale answer: the record is read again at the end.
    - When the process begins to stop, a wait ends at once with the job as it is then.
    """

    def __init__(self, *, unit_of_work: UnitOfWork, changes: JobChangeFeed) -> None:
        self._uow = unit_of_work
        self._changes = changes

    async def execute(self, query: WaitForJobQuery) -> Job:
        """The job, ended or as it is once the wait is over."""
        job = await self._read(query)
        if job.status.is_finished or query.wait <= timedelta(0):
            return job
        deadline = time.monotonic() + min(query.wait, LONGEST_WAIT).total_seconds()
        async with self._changes.watch(query.job_id) as changes:
            job = await self._read(query)  # it may have ended before the watch began
            while not job.status.is_finished:
                change = await changes.next(deadline - time.monotonic())
                if change is None:
                    break
                if change.status.is_finished:
                    return await self._read(query)
        return job if job.status.is_finished else await self._read(query)

    async def _read(self, query: WaitForJobQuery) -> Job:
        async with self._uow as uow:
            return await visible_job(uow, query.principal, query.job_id)
