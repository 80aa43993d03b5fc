"""Follow a job until it ends: the use case behind the job's event stream."""

import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import timedelta

from application.common.ports import UnitOfWork
from application.jobs.change_ports import JobChange, JobChangeFeed
from application.jobs.job_records import visible_job
from domain.jobs import Job
from domain.principal import Principal


@dataclass(frozen=True, slots=True)
class FollowJobQuery:
    """A caller follows a job; ``idle`` is the longest pause between two yields."""

    principal: Principal
    job_id: str
    idle: timedelta = timedelta(seconds=15)


def job_state(job: Job) -> tuple[str, int, int]:
    """What a follower is told about again when it changes: status, attempt and rows."""
    return job.status.value, job.attempts, job.rows_written


def _moves_nothing(change: JobChange, seen: tuple[str, int, int]) -> bool:
    return (change.status.value, change.rows_written) == (seen[0], seen[2])


class FollowJobUseCase:
    """Yield a job each time its state changes, until it has ended.

    Business rules:
    - The same visibility as reading the job: ``PermissionDenied``, or
      ``JobNotFound`` for another caller's job, before anything is yielded.
    - The first yield is the job as it is now; then the job after each announced
      change of its status, attempt or rows written, never the same state twice;
      the last yield is the job ended (Succeeded, Failed or Cancelled).
    - Following costs no database reads while nothing is announced; after ``idle``
      without news the record is read once (an announcement may have been lost),
      and ``None`` is yielded when it has not changed, so the caller can show it
      is alive.
    - When the process begins to stop (the watch is closing) the job is yielded once
      more if it changed, and the following ends before the job has: the caller
      resumes elsewhere from the last state it was given.
    """

    def __init__(self, *, unit_of_work: UnitOfWork, changes: JobChangeFeed) -> None:
        self._uow = unit_of_work
        self._changes = changes

    async def execute(self, query: FollowJobQuery) -> AsyncGenerator[Job | None, None]:
        """The job's states, ``None`` for an idle pause; ``JobNotFound`` up front."""
        first = await self._read(query)  # refuses before the stream is opened
        return self._follow(query, first)

    async def _follow(self, query: FollowJobQuery, job: Job) -> AsyncGenerator[Job | None, None]:
        yield job
        if job.status.is_finished:
            return
        seen, idle = job_state(job), query.idle.total_seconds()
        async with self._changes.watch(query.job_id) as changes:
            job = await self._read(query)  # it may have moved before the watch began
            quiet_until = time.monotonic() + idle
            while True:
                if job_state(job) != seen:
                    seen, quiet_until = job_state(job), time.monotonic() + idle
                    yield job
                if job.status.is_finished:
                    return
                change = await changes.next(quiet_until - time.monotonic())
                if changes.closing:  # the process stops: the caller follows on elsewhere
                    job = await self._read(query)
                    if job_state(job) != seen:
                        yield job
                    return
                if change is not None and _moves_nothing(change, seen):
                    continue  # a heartbeat of a run that wrote no rows since
                job = await self._read(query)
                if change is None and job_state(job) == seen:
                    quiet_until = time.monotonic() + idle
                    yield None

    async def _read(self, query: FollowJobQuery) -> Job:
        async with self._uow as uow:
            return await visible_job(uow, query.principal, query.job_id)
