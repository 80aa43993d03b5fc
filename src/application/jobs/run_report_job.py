"""Run a delivered job: the use case behind the arq worker and the in-process runner."""

import asyncio
import logging
from contextlib import nullcontext
from dataclasses import replace

from application.common import log_context
from application.common.errors import ReportQueryFailed, ServiceUnavailable
from application.common.ports import Clock, UnitOfWork
from application.jobs.job_progress import JobCancelled, JobProgress
from application.jobs.job_records import save_job
from application.jobs.policy import JobPolicy
from application.jobs.ports import JobMessage, JobOutcome, JobRun, JobRunWatcher, RunTracer
from application.jobs.report_file_maker import ReportFileMaker
from application.webhooks.ports import CallbackDispatcher
from domain.job_results import StoredResult
from domain.job_status import JobStatus
from domain.jobs import Job
from domain.reports import ReportConfiguration

logger = logging.getLogger(__name__)


class RunReportJobUseCase:
    """Run one delivery of a job, at least once, safely.

    Business rules:
    - A job whose record is not visible yet is looked for again shortly, until
      ``row_grace_period`` after it was requested (its creator may still be
      committing); after that it is dropped and never executed.
    - A job is claimed (``Queued`` -> ``Running``), together with its report in
      one transaction, only if it is still ``Queued``, or ``Running`` under a
      lease that expired (its worker died; ``Job.recover_abandoned`` decides
      whether it runs again or fails): a second delivery of a job that runs or
      ran does nothing. A job whose report was deleted fails.
    - The worker renews its lease with each progress report; a job that was
      cancelled meanwhile stops at the next batch and leaves no file.
    - A permanent failure (the query or a parameter is refused) fails the job
      at once with a safe reason (no database text: that is logged with the
      job's id); a transient one (a data source, the store or
      the database not answering) gives the job back to the queue with
      backoff, up to ``max_attempts`` attempts, then fails it
      (``Job.retry_later``).
    - A delivery that finds the database down is delivered again after
      ``storage_retry``.
    - A run stopped by its worker (an orderly stop: the task is cancelled) gives
      the job back, ``Queued``, before it stops, so that another worker takes it
      at once instead of after its lease; the scheduler's entry delivers it again.
    - Success stores the file whole and records its size, SHA-256, content
      type and row count; it can be downloaded for ``result_ttl``.
    - A job that ends here (succeeded or failed) with a ``callbackUrl`` has its
      completion webhook started at once, in the background (``callbacks``); the
      sweep delivers it if this process dies first.
    """

    def __init__(
        self,
        *,
        unit_of_work: UnitOfWork,
        clock: Clock,
        file_maker: ReportFileMaker,
        policy: JobPolicy,
        watcher: JobRunWatcher | None = None,
        tracer: RunTracer | None = None,
        callbacks: CallbackDispatcher | None = None,
    ) -> None:
        self._uow = unit_of_work
        self._clock = clock
        self._file_maker = file_maker
        self._policy = policy
        self._watcher = watcher
        self._tracer = tracer
        self._callbacks = callbacks

    async def execute(self, message: JobMessage) -> JobRun:
        """Claim, render, record; the outcome says whether to deliver the job again. Its
        log lines carry the job's id and the id of the request that created it."""
        with log_context.job_run(message.job_id):
            return await self._execute(message)

    async def _execute(self, message: JobMessage) -> JobRun:
        job: Job | None = None
        try:
            claimed = await self._claim(message)
            if isinstance(claimed, JobRun):
                run = claimed
            else:
                job, report = claimed
                with self._tracer.job_run(job) if self._tracer else nullcontext():
                    produced = await self._produce(job, report)
                run = replace(produced, report_id=job.report_id, rows=job.rows_written)
        except ServiceUnavailable as exc:
            logger.warning("Job %s postponed: %s", message.job_id, exc.message)
            return JobRun(JobOutcome.RETRY_LATER, self._policy.storage_retry)
        logger.info("Job %s: %s", message.job_id, run.outcome.value)
        ended = run.outcome in (JobOutcome.SUCCEEDED, JobOutcome.FAILED)
        # A job that failed when claimed is not at hand: its callback, if any, is looked up.
        if ended and self._callbacks is not None and (job is None or job.callback is not None):
            self._callbacks.dispatch(message.job_id)
        return run

    async def _claim(self, message: JobMessage) -> tuple[Job, ReportConfiguration] | JobRun:
        now = self._clock.now()
        async with self._uow as uow:
            job = await uow.jobs.get(message.job_id)
            if job is None:
                return self._missing(message)
            log_context.request_id.set(job.request_id)
            seen = job.status
            if job.is_abandoned(now):
                job.recover_abandoned(now, self._policy.max_attempts)
            if job.status is seen and seen is not JobStatus.QUEUED:
                return JobRun(JobOutcome.ALREADY_HANDLED)
            report = None
            if job.status is JobStatus.QUEUED:
                report = await uow.reports.get(job.report_id)
                job.start(now, now + self._policy.lease)
                if report is None:
                    job.fail("The report no longer exists.", now)
            if not await uow.jobs.save(job, if_status=seen):
                return JobRun(JobOutcome.ALREADY_HANDLED)
            await uow.commit()
        if report is None:  # it gave up on a dead worker, or lost its report
            return JobRun(JobOutcome.FAILED)
        logger.info(
            "Job %s started: report %s, format %s, attempt %d.",
            job.id,
            job.report_id,
            job.format.value,
            job.attempts,
        )
        if self._watcher is not None:
            self._watcher.run_started(job.report_id)
        return job, report

    def _missing(self, message: JobMessage) -> JobRun:
        if self._clock.now() - message.requested_at < self._policy.row_grace_period:
            return JobRun(JobOutcome.RETRY_LATER, self._policy.missing_row_retry)
        logger.warning("Job %s has no record; its creation failed. Dropped.", message.job_id)
        return JobRun(JobOutcome.DROPPED)

    async def _produce(self, job: Job, report: ReportConfiguration) -> JobRun:
        policy = self._policy
        progress = JobProgress(
            self._uow,
            self._clock,
            job,
            lease=policy.lease,
            interval=policy.heartbeat_interval,
            runtime_limit=policy.runtime_limit,
        )
        limits = policy.limits_of(report.limits)
        try:
            making = self._file_maker.make(job, report, limits, progress.rows_written)
            result = await progress.run(making)
        except asyncio.CancelledError:
            await self._hand_back(job)
            raise
        except JobCancelled:
            return JobRun(JobOutcome.CANCELLED)
        except ReportQueryFailed as exc:
            if exc.detail:
                logger.warning("Job %s: %s (%s)", job.id, exc.message, exc.detail)
            return await self._fail(job, exc.message)
        except ServiceUnavailable as exc:
            return await self._retry_later(job, exc)
        except Exception:
            logger.exception("Job %s failed unexpectedly", job.id)
            return await self._fail(job, "The report could not be generated (internal error).")
        return await self._succeed(job, result)

    async def _succeed(self, job: Job, result: StoredResult) -> JobRun:
        now = self._clock.now()
        job.succeed(result, now, now + self._policy.result_ttl)
        if await self._save_run(job):
            return JobRun(JobOutcome.SUCCEEDED)
        await self._file_maker.discard(result)
        return JobRun(JobOutcome.CANCELLED)

    async def _hand_back(self, job: Job) -> None:
        job.hand_back()
        try:
            if await save_job(
                self._uow, job, if_status=JobStatus.RUNNING, if_attempts=job.attempts
            ):
                logger.info("Job %s given back to the queue: its worker is stopping.", job.id)
        except ServiceUnavailable as exc:  # its lease will expire, and the sweep requeue it
            logger.warning("Job %s could not be given back: %s", job.id, exc.message)

    async def _fail(self, job: Job, reason: str) -> JobRun:
        job.fail(reason, self._clock.now())
        saved = await save_job(
            self._uow, job, if_status=JobStatus.RUNNING, if_attempts=job.attempts
        )
        return JobRun(JobOutcome.FAILED if saved else JobOutcome.CANCELLED)

    async def _retry_later(self, job: Job, error: ServiceUnavailable) -> JobRun:
        now, delay = self._clock.now(), self._policy.retry_delay(job.attempts)
        job.retry_later(error.message, now, self._policy.max_attempts, due_at=now + delay)
        if not await save_job(
            self._uow, job, if_status=JobStatus.RUNNING, if_attempts=job.attempts
        ):
            return JobRun(JobOutcome.CANCELLED)
        if job.status is JobStatus.FAILED:
            return JobRun(JobOutcome.FAILED)
        return JobRun(JobOutcome.RETRY_LATER, delay)

    async def _save_run(self, job: Job) -> bool:
        """Write what this run did, unless the job was taken from it (cancelled, or
        claimed again by another worker after its lease expired)."""
        return await save_job(self._uow, job, if_status=JobStatus.RUNNING, if_attempts=job.attempts)
