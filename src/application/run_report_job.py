"""Run a delivered job: the use case behind the arq worker and the in-process runner."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from application.errors import ReportQueryFailed, ServiceUnavailable
from application.job_progress import JobCancelled, JobProgress
from application.ports import Clock, JobMessage, UnitOfWork
from application.render_report import ReportFileMaker
from domain.jobs import Job, JobStatus, StoredResult

logger = logging.getLogger(__name__)


class JobOutcome(StrEnum):
    """What one delivery of a job came to."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    RETRY_LATER = "retry_later"
    DROPPED = "dropped"
    ALREADY_HANDLED = "already_handled"


@dataclass(frozen=True, slots=True)
class JobRun:
    """The outcome, and when to deliver the job again if it is ``RETRY_LATER``."""

    outcome: JobOutcome
    retry_in: timedelta | None = None


@dataclass(frozen=True, slots=True)
class JobRunPolicy:
    """The timings and limits of running jobs."""

    row_grace_period: timedelta = timedelta(seconds=30)
    missing_row_retry: timedelta = timedelta(seconds=1)
    lease: timedelta = timedelta(minutes=2)
    heartbeat_interval: timedelta = timedelta(seconds=1)
    max_attempts: int = 3
    first_retry: timedelta = timedelta(seconds=5)
    max_retry: timedelta = timedelta(minutes=5)
    result_ttl: timedelta = timedelta(hours=24)

    def retry_delay(self, attempts: int) -> timedelta:
        """Exponential backoff after ``attempts`` failed attempts, capped."""
        delay: timedelta = self.first_retry * 2 ** max(attempts - 1, 0)
        return min(delay, self.max_retry)


class RunReportJobUseCase:
    """Run one delivery of a job, at least once, safely.

    Business rules:
    - A job whose row is not visible yet is looked for again shortly, until
      ``row_grace_period`` after it was requested (its creator may still be
      committing); after that it is dropped and never executed.
    - A job is claimed (``Queued`` -> ``Running``) only if it is still
      ``Queued``, or ``Running`` under a lease that expired (its worker died):
      a second delivery of a job that runs or ran does nothing.
    - The worker renews its lease with each progress report; a job that was
      cancelled meanwhile stops at the next batch and leaves no file.
    - A permanent failure (the query or a parameter is refused) fails the job
      at once with a safe reason; a transient one (a data source, the store or
      the database not answering) gives the job back to the queue with
      backoff, up to ``max_attempts`` attempts, then fails it.
    - Success stores the file whole and records its size, SHA-256, content
      type and row count; it can be downloaded for ``result_ttl``.
    """

    def __init__(
        self,
        *,
        unit_of_work: UnitOfWork,
        clock: Clock,
        file_maker: ReportFileMaker,
        policy: JobRunPolicy | None = None,
    ) -> None:
        self._uow = unit_of_work
        self._clock = clock
        self._file_maker = file_maker
        self._policy = policy or JobRunPolicy()

    async def execute(self, message: JobMessage) -> JobRun:
        """Claim, render, record; raises ``ServiceUnavailable`` if the database is down."""
        job = await self._find(message)
        if isinstance(job, JobRun):
            return job
        async with self._uow as uow:
            report = await uow.reports.get(job.report_id)
        if report is None:
            return await self._fail(job, "The report no longer exists.")
        policy = self._policy
        progress = JobProgress(self._uow, self._clock, job, policy.lease, policy.heartbeat_interval)
        try:
            result = await self._file_maker.make(job, report, progress.report)
        except JobCancelled:
            return JobRun(JobOutcome.CANCELLED)
        except ReportQueryFailed as exc:
            return await self._fail(job, exc.message)
        except ServiceUnavailable as exc:
            return await self._retry_or_fail(job, exc)
        except Exception:
            logger.exception("Job %s failed unexpectedly", job.id)
            return await self._fail(job, "The report could not be generated (internal error).")
        return await self._succeed(job, result)

    async def _find(self, message: JobMessage) -> Job | JobRun:
        now = self._clock.now()
        async with self._uow as uow:
            job = await uow.jobs.get(message.job_id)
            if job is None:
                if now - message.requested_at < self._policy.row_grace_period:
                    return JobRun(JobOutcome.RETRY_LATER, self._policy.missing_row_retry)
                logger.warning(
                    "Job %s has no record; its creation failed. Dropped.", message.job_id
                )
                return JobRun(JobOutcome.DROPPED)
            seen = job.status
            abandoned = seen is JobStatus.RUNNING and _lease_expired(job, now)
            if seen is not JobStatus.QUEUED and not abandoned:
                return JobRun(JobOutcome.ALREADY_HANDLED)
            if abandoned:
                if job.attempts >= self._policy.max_attempts:
                    job.fail("The worker running this job stopped responding.", now)
                    await uow.jobs.update(job, expected_status=seen)
                    await uow.commit()
                    return JobRun(JobOutcome.FAILED)
                job.requeue()
            job.start(now, now + self._policy.lease)
            if not await uow.jobs.update(job, expected_status=seen):
                return JobRun(JobOutcome.ALREADY_HANDLED)
            await uow.commit()
        return job

    async def _succeed(self, job: Job, result: StoredResult) -> JobRun:
        now = self._clock.now()
        job.succeed(result, now, now + self._policy.result_ttl)
        if await self._write(job):
            return JobRun(JobOutcome.SUCCEEDED)
        await self._file_maker.store.delete(result.key)
        return JobRun(JobOutcome.CANCELLED)

    async def _fail(self, job: Job, reason: str) -> JobRun:
        job.fail(reason, self._clock.now())
        written = await self._write(job)
        return JobRun(JobOutcome.FAILED if written else JobOutcome.CANCELLED)

    async def _retry_or_fail(self, job: Job, error: ServiceUnavailable) -> JobRun:
        if job.attempts >= self._policy.max_attempts:
            return await self._fail(job, f"{error.message} Gave up after {job.attempts} attempts.")
        job.requeue()
        if not await self._write(job):
            return JobRun(JobOutcome.CANCELLED)
        return JobRun(JobOutcome.RETRY_LATER, self._policy.retry_delay(job.attempts))

    async def _write(self, job: Job) -> bool:
        """Write the job's outcome unless it stopped ``Running`` (was cancelled) meanwhile."""
        async with self._uow as uow:
            written = await uow.jobs.update(job, expected_status=JobStatus.RUNNING)
            await uow.commit()
        return written


def _lease_expired(job: Job, now: datetime) -> bool:
    return job.lease_expires_at is not None and job.lease_expires_at <= now
