"""A running job's heartbeat: it renews the lease, records progress and stops the run
when the job is cancelled or runs past its time."""

import asyncio
from collections.abc import Awaitable
from contextlib import suppress
from datetime import timedelta
from typing import TypeVar

from application.common.errors import ReportLimitExceeded
from application.common.ports import Clock, UnitOfWork
from application.jobs.job_records import save_job
from domain.job_status import JobStatus
from domain.jobs import Job

_T = TypeVar("_T")


class JobCancelled(Exception):
    """The job stopped being ``Running`` while it was rendered: stop and throw the file away."""


class JobProgress:
    """Runs a job's work beside a heartbeat that does not depend on rows arriving.

    Every ``interval`` (whether the query is streaming rows or still computing
    the first one) it records the rows written so far and renews the lease, so
    the sweep never takes a living run for a dead one. When the job was
    cancelled meanwhile, or has run for ``runtime_limit``, the work is cancelled,
    which interrupts its query and throws its file away, before ``run`` raises
    ``JobCancelled`` or ``ReportLimitExceeded``.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        job: Job,
        *,
        lease: timedelta,
        interval: timedelta,
        runtime_limit: timedelta,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._job = job
        self._lease = lease
        self._interval = interval.total_seconds()
        self._runtime_limit = runtime_limit
        self._rows_written = 0

    def rows_written(self, rows: int) -> None:
        """The rows written so far (cheap: recorded at the next heartbeat)."""
        self._rows_written = rows

    async def run(self, work: Awaitable[_T]) -> _T:
        """``work``'s result; stops it (and raises) when the job is cancelled or too long."""
        task = asyncio.ensure_future(work)
        started = self._clock.now()
        try:
            while True:
                done, _ = await asyncio.wait({task}, timeout=self._interval)
                if done:
                    return task.result()
                if self._clock.now() - started >= self._runtime_limit:
                    seconds = f"{self._runtime_limit.total_seconds():g}"
                    raise ReportLimitExceeded(f"The report ran longer than {seconds} s.")
                if not await self._beat():
                    raise JobCancelled()
        finally:
            await _stop(task)

    async def _beat(self) -> bool:
        """Record progress and renew the lease; ``False`` once the job is not ``Running``."""
        now = self._clock.now()
        self._job.record_progress(self._rows_written, None, now + self._lease)
        return await save_job(
            self._uow, self._job, if_status=JobStatus.RUNNING, if_attempts=self._job.attempts
        )


async def _stop(task: "asyncio.Future[_T]") -> None:
    """Cancel ``task`` if it still runs and wait until it has cleaned up."""
    if task.done():
        return
    task.cancel()
    with suppress(asyncio.CancelledError, Exception):
        await task
