"""A running job's progress reports, which renew its lease and notice a cancellation."""

from datetime import datetime, timedelta

from application.common.ports import Clock, UnitOfWork
from application.jobs.job_records import save_job
from domain.job_status import JobStatus
from domain.jobs import Job


class JobCancelled(Exception):
    """The job stopped being ``Running`` while it was rendered: stop and throw the file away."""


class JobProgress:
    """Records rows written (and a percentage where the total is known), at most every
    ``interval``; each record renews the worker's lease on the job.
    """

    def __init__(
        self, uow: UnitOfWork, clock: Clock, job: Job, lease: timedelta, interval: timedelta
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._job = job
        self._lease = lease
        self._interval = interval
        self._last: datetime = clock.now()

    async def report(self, rows_written: int, total_rows: int | None) -> None:
        """Record progress if ``interval`` has passed; ``JobCancelled`` if the job was cancelled."""
        now = self._clock.now()
        if now - self._last < self._interval:
            return
        self._last = now
        percent = 100.0 * rows_written / total_rows if total_rows else None
        self._job.record_progress(rows_written, percent, now + self._lease)
        if not await save_job(self._uow, self._job, if_status=JobStatus.RUNNING):
            raise JobCancelled()
