"""The job functions behind both schedulers: arq's, and the in-process runner's.

Both are thin: they run ``RunReportJobUseCase`` (or the sweep) and translate
its answer into their scheduler's own terms.
"""

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from arq import Retry

from application.errors import ServiceUnavailable
from application.ports import JobMessage
from application.run_report_job import JobOutcome, JobRun, RunReportJobUseCase
from application.sweep_jobs import SweepJobsUseCase

logger = logging.getLogger(__name__)

#: A delivery that finds the database down is tried again this much later.
STORAGE_RETRY = timedelta(seconds=5)


def _retry_in(message: JobMessage, run: JobRun) -> timedelta | None:
    logger.info("Job %s: %s", message.job_id, run.outcome.value)
    return run.retry_in if run.outcome is JobOutcome.RETRY_LATER else None


def in_process_handler(
    use_case: Callable[[], RunReportJobUseCase],
) -> Callable[[JobMessage], Awaitable[timedelta | None]]:
    """The in-process runner's handler: returns when to run the job again, if at all."""

    async def handle(message: JobMessage) -> timedelta | None:
        try:
            run = await use_case().execute(message)
        except ServiceUnavailable as exc:
            logger.warning("Job %s postponed: %s", message.job_id, exc.message)
            return STORAGE_RETRY
        return _retry_in(message, run)

    return handle


async def run_report_job(ctx: dict[str, Any], job_id: str, requested_at: str) -> str:
    """arq's job function: ``ctx["container"]`` holds the container the worker built."""
    message = JobMessage(job_id=job_id, requested_at=datetime.fromisoformat(requested_at))
    use_case: RunReportJobUseCase = ctx["container"].run_report_job()
    try:
        run = await use_case.execute(message)
    except ServiceUnavailable as exc:
        logger.warning("Job %s postponed: %s", job_id, exc.message)
        raise Retry(defer=STORAGE_RETRY) from exc
    retry_in = _retry_in(message, run)
    if retry_in is not None:
        raise Retry(defer=retry_in)
    return str(run.outcome.value)


async def sweep_jobs(ctx: dict[str, Any]) -> str:
    """arq's cron function: recover abandoned jobs and delete expired results."""
    use_case: SweepJobsUseCase = ctx["container"].sweep_jobs()
    try:
        summary = await use_case.execute()
    except ServiceUnavailable as exc:
        logger.warning("Sweep skipped: %s", exc.message)
        return "skipped"
    return str(summary)


#: How often jobs are swept (the arq worker's cron job, or the embedded mode's task).
SWEEP_INTERVAL = timedelta(minutes=1)


def sweep_action(use_case: Callable[[], SweepJobsUseCase]) -> Callable[[], Awaitable[object]]:
    """The embedded mode's sweep; the first, at start-up, hands every queued job to the
    runner again (an in-process queue does not survive a restart)."""
    started = False

    async def sweep() -> object:
        nonlocal started
        first, started = not started, True
        return await use_case().execute(redeliver_all_queued=first)

    return sweep
