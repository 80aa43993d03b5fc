"""Comparing the queued jobs' records with what the scheduler holds: a step of the sweep."""

import logging
from collections.abc import Sequence
from datetime import datetime

from application.common.errors import JobAlreadyQueued, SchedulerUnavailable
from application.common.ports import Clock, UnitOfWork
from application.jobs.ports import JobMessage, JobScheduler
from domain.jobs import Job

logger = logging.getLogger(__name__)


def delivery_of(job: Job, now: datetime) -> JobMessage:
    """The hand-over of ``job`` to the scheduler at ``now``: a new delivery after its
    attempts."""
    return JobMessage(job.id, now, delivery=job.attempts)


class QueueCheck:
    """Finds the ``Queued`` jobs whose queue entry is gone and hands them over again.

    Each sweep checks the ``batch`` oldest queued jobs (one read, one round trip to
    the scheduler). When the scheduler says it lost its data (Redis restarted
    empty, or was emptied), every queued job is checked, ``batch`` at a time, and
    the scheduler is told once all of them have their entries again. A job waiting
    for its backoff is left to a later sweep, once it is due.
    """

    def __init__(
        self, *, unit_of_work: UnitOfWork, clock: Clock, scheduler: JobScheduler, batch: int
    ) -> None:
        self._uow = unit_of_work
        self._clock = clock
        self._scheduler = scheduler
        self._batch = batch

    async def run(self) -> int:
        """How many jobs were handed over again; a scheduler that does not answer ends
        the check (logged), to be tried again by the next sweep."""
        delivered = waiting = 0
        try:
            if await self._scheduler.queue_intact():
                return (await self._check(await self._queued_after(None)))[0]
            logger.warning(
                "The job queue holds no mark of its last check (Redis is new, restarted "
                "without its data, or was emptied): comparing every queued job with it."
            )
            after: tuple[datetime, str] | None = None
            while jobs := await self._queued_after(after):
                handed, left = await self._check(jobs)
                delivered, waiting = delivered + handed, waiting + left
                after = (jobs[-1].created_at, jobs[-1].id)
            if not waiting:  # else the next sweeps check them all again, until they are due
                await self._scheduler.confirm_queue()
            logger.warning(
                "Queue check done: %d queued job(s) handed to it again, %d waiting for "
                "their backoff.",
                delivered,
                waiting,
            )
        except SchedulerUnavailable as exc:
            logger.warning("Queue check stopped: %s", exc.message)
        return delivered

    async def _queued_after(self, after: tuple[datetime, str] | None) -> list[Job]:
        async with self._uow as uow:
            return await uow.jobs.queued_after(after, self._batch)

    async def _check(self, jobs: Sequence[Job]) -> tuple[int, int]:
        """(handed over again, lost but waiting for their backoff)"""
        if not jobs:
            return 0, 0
        now = self._clock.now()
        by_id = {job.id: job for job in jobs}
        lost = await self._scheduler.unqueued([delivery_of(job, now) for job in jobs])
        delivered = waiting = 0
        for message in lost:
            job = by_id[message.job_id]
            if not job.is_due(now):
                waiting += 1
                continue
            try:
                await self._scheduler.enqueue(message)
            except JobAlreadyQueued:
                continue
            logger.warning(
                "Job %s had no queue entry: handed to the queue again.",
                job.id,
                extra={"job_id": job.id, "request_id": job.request_id},
            )
            delivered += 1
        return delivered, waiting
