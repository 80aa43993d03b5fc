"""The job handler behind both schedulers: arq's job function and the in-process one.

Both are thin: they ask ``RunReportJobUseCase`` what a delivery means and act
on the answer in their scheduler's own terms.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from arq import Retry

from application.errors import ServiceUnavailable
from application.ports import JobMessage
from application.run_report_job import Delivery, DeliveryDecision, RunReportJobUseCase

logger = logging.getLogger(__name__)

#: A delivery that finds the database down is tried again this much later.
STORAGE_RETRY_SECONDS = 5
MAX_RETRY_DEFER_SECONDS = 10


def _log(message: JobMessage, decision: DeliveryDecision) -> None:
    if decision.delivery is Delivery.DROP:
        logger.warning("Job %s has no record; its creation failed. Dropped.", message.job_id)
    elif decision.delivery is Delivery.ALREADY_HANDLED and decision.job is not None:
        logger.info("Job %s is already %s; delivery ignored.", message.job_id, decision.job.status)
    elif decision.delivery is Delivery.RUN:
        logger.info("Job %s is ready to run.", message.job_id)


def in_process_handler(
    use_case: Callable[[], RunReportJobUseCase],
) -> Callable[[JobMessage], Awaitable[None]]:
    """The handler of the in-process scheduler: waits out a row that is not visible yet."""

    async def handle(message: JobMessage) -> None:
        decision = await use_case().decide(message)
        while decision.delivery is Delivery.RETRY_LATER:
            await asyncio.sleep(decision.retry_in.total_seconds())
            decision = await use_case().decide(message)
        _log(message, decision)

    return handle


async def run_report_job(ctx: dict[str, Any], job_id: str, requested_at: str) -> str:
    """arq's job function: ``ctx["container"]`` holds the container the worker built."""
    message = JobMessage(job_id=job_id, requested_at=datetime.fromisoformat(requested_at))
    try:
        use_case: RunReportJobUseCase = ctx["container"].run_report_job()
        decision = await use_case.decide(message)
    except ServiceUnavailable as exc:
        raise Retry(defer=STORAGE_RETRY_SECONDS) from exc
    if decision.delivery is Delivery.RETRY_LATER:
        attempt = int(ctx.get("job_try", 1))
        raise Retry(defer=min(2 ** (attempt - 1), MAX_RETRY_DEFER_SECONDS))
    _log(message, decision)
    return str(decision.delivery.value)
