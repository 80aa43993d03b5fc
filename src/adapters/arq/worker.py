"""The arq worker's settings, built by a factory from what the worker runs (nothing at import)."""

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from adapters.arq.scheduler import redis_settings
from adapters.arq.wire import (
    MAX_TRIES,
    QUEUE_NAME,
    deserialize,
    report_job_function,
    serialize,
    sweep_cron_job,
)
from application.jobs.ports import JobHandler

logger = logging.getLogger(__name__)

#: arq keeps a job's outcome this long; the job's own record is in the database.
KEEP_RESULT_SECONDS = 300


def worker_settings(
    *,
    redis_url: str,
    run_job: JobHandler,
    sweep: Callable[[], Awaitable[object]],
    sweep_interval: timedelta,
    job_timeout: timedelta,
    poll_interval: timedelta,
    on_startup: Callable[[], Awaitable[None]],
    on_shutdown: Callable[[], Awaitable[None]],
) -> dict[str, Any]:
    """arq ``WorkerSettings`` as a dict, for ``arq.worker.create_worker``/``run_worker``.

    The worker runs ``run_job`` for each delivered report job and ``sweep`` every
    ``sweep_interval`` on one worker at a time; a job running longer than
    ``job_timeout`` is cancelled. It looks for queued jobs every ``poll_interval`` (arq's
    ``poll_delay``, which bounds how soon a job starts after it is queued). ``on_startup``
    and ``on_shutdown`` start and release what the worker uses.
    """

    async def started(_: dict[str, Any]) -> None:
        await on_startup()
        logger.info("reportgen worker ready on queue %s", QUEUE_NAME)

    async def stopped(_: dict[str, Any]) -> None:
        await on_shutdown()

    return {
        "functions": [report_job_function(run_job)],
        "cron_jobs": [sweep_cron_job(sweep, sweep_interval)],
        "queue_name": QUEUE_NAME,
        "redis_settings": redis_settings(redis_url),
        "job_serializer": serialize,
        "job_deserializer": deserialize,
        "on_startup": started,
        "on_shutdown": stopped,
        "max_tries": MAX_TRIES,
        "job_timeout": job_timeout.total_seconds(),
        "poll_delay": poll_interval.total_seconds(),
        "keep_result": KEEP_RESULT_SECONDS,
        "handle_signals": True,
    }
