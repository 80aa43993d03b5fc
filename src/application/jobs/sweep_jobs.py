"""Housekeeping that keeps jobs moving and results bounded; run every minute or so."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from application.common.errors import JobAlreadyQueued
from application.common.ports import Clock, UnitOfWork
from application.jobs.admission import KEY_LIFETIME
from application.jobs.file_ports import ResultStore
from application.jobs.job_records import save_job
from application.jobs.policy import JobPolicy, SweepPolicy
from application.jobs.ports import JobScheduler
from application.jobs.queue_check import QueueCheck, delivery_of
from application.jobs.result_keys import delete_unrecorded_files
from application.webhooks.ports import CallbackDispatcher
from domain.job_status import JobStatus
from domain.jobs import Job

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SweepSummary:
    """What one sweep did."""

    requeued: int = 0
    failed: int = 0
    redelivered: int = 0
    expired: int = 0
    unqueued: int = 0
    forgotten_keys: int = 0
    callbacks: int = 0


class SweepJobsUseCase:
    """Recover abandoned jobs and delete expired results.

    Business rules:
    - A ``Running`` job whose lease expired lost its worker: it goes back to
      the queue, or fails with a reason once it used ``max_attempts``
      (``Job.recover_abandoned``). It is handed over as a new delivery (its
      attempts so far), so a queue that still holds the dead run's entry takes it.
    - A due ``Queued`` job whose queue entry is gone (Redis restarted without its
      data, or was emptied) is handed to the scheduler again at the next sweep
      (``QueueCheck``): the record, not the queue, says which jobs are waiting.
    - A job ``Queued`` for longer than ``redeliver_after`` and due (not waiting
      for a backoff) is handed to the scheduler again, whatever it holds (an
      entry held by a worker that died after giving the job back); a second
      delivery is harmless, a job already queued is left as it is.
    - A result past its ``expires_at`` is deleted from the store; the job's
      record stays, and its download answers that it expired.
    - An ``Idempotency-Key`` older than 24 hours stands for nothing any more: it
      is deleted (generate ignores it already).
    - A finished job's completion webhook that is pending and due (its first
      attempt lost with a process that died, or a retry whose wait is over) is
      started again (``callbacks``); its claim keeps two processes from sending it
      at once.
    Each step handles at most ``batch`` jobs per sweep.
    """

    def __init__(
        self,
        *,
        unit_of_work: UnitOfWork,
        clock: Clock,
        scheduler: JobScheduler,
        store: ResultStore,
        policy: JobPolicy,
        sweep: SweepPolicy,
        callbacks: CallbackDispatcher | None = None,
    ) -> None:
        self._uow = unit_of_work
        self._clock = clock
        self._scheduler = scheduler
        self._store = store
        self._policy = policy
        self._sweep = sweep
        self._callbacks = callbacks
        self._queue_check = QueueCheck(
            unit_of_work=unit_of_work, clock=clock, scheduler=scheduler, batch=sweep.batch
        )

    async def execute(self) -> SweepSummary:
        """One sweep; raises ``ServiceUnavailable`` when the database is down."""
        requeued, failed = await self._recover_abandoned()
        redelivered = await self._redeliver_queued_before(self._sweep.redeliver_after)
        expired = await self._expire_results()
        unqueued = await self._queue_check.run()
        forgotten = await self._forget_old_keys()
        callbacks = await self._dispatch_due_callbacks()
        return SweepSummary(
            requeued, failed, redelivered, expired, unqueued, forgotten, callbacks=callbacks
        )

    async def _dispatch_due_callbacks(self) -> int:
        if self._callbacks is None:
            return 0
        async with self._uow as uow:
            due = await uow.callbacks.due(self._clock.now(), self._sweep.batch)
        for job_id in due:
            self._callbacks.dispatch(job_id)
        return len(due)

    async def _forget_old_keys(self) -> int:
        async with self._uow as uow:
            before = self._clock.now() - KEY_LIFETIME
            forgotten = await uow.admission.forget_keys_before(before, self._sweep.batch)
            await uow.commit()
        return forgotten

    async def _recover_abandoned(self) -> tuple[int, int]:
        now = self._clock.now()
        async with self._uow as uow:
            abandoned = await uow.jobs.with_expired_lease(now, self._sweep.batch)
        requeued = failed = 0
        for job in abandoned:
            job.recover_abandoned(now, self._policy.max_attempts)
            if not await save_job(self._uow, job, if_status=JobStatus.RUNNING):
                continue
            if job.status is JobStatus.FAILED:
                failed += 1
                await delete_unrecorded_files(self._store, job, "failed")
            else:
                requeued += 1
                await self._deliver(job)
        return requeued, failed

    async def _redeliver_queued_before(self, age: timedelta) -> int:
        now = self._clock.now()
        async with self._uow as uow:
            stale = await uow.jobs.queued_before(now - age, self._sweep.batch)
        delivered = 0
        for job in stale:
            if job.is_due(now):  # one waiting for its backoff is delivered by its retry
                delivered += await self._deliver(job)
        return delivered

    async def _expire_results(self) -> int:
        async with self._uow as uow:
            expired = await uow.jobs.with_expired_result(self._clock.now(), self._sweep.batch)
        for job in expired:
            if job.result is not None:
                await self._store.delete(job.result.key)
            job.discard_result()
            await save_job(self._uow, job, if_status=JobStatus.SUCCEEDED)
        return len(expired)

    async def _deliver(self, job: Job) -> bool:
        try:
            await self._scheduler.enqueue(delivery_of(job, self._clock.now()))
        except JobAlreadyQueued:
            return False
        logger.info(
            "Job %s handed to the scheduler again.",
            job.id,
            extra={"job_id": job.id, "request_id": job.request_id},
        )
        return True
