"""The arq worker: its settings, built from ``Settings`` by a factory (nothing at import)."""

import logging
from typing import Any

from arq.cron import cron
from arq.worker import Function, func

from adapters.arq.scheduler import QUEUE_NAME, RUN_REPORT_JOB, redis_settings
from adapters.arq.serializer import deserialize, serialize
from entrypoints.container import Container, build_container
from entrypoints.jobs import run_report_job, sweep_jobs
from entrypoints.lifecycle import stop_services
from entrypoints.settings import Settings, SettingsError

logger = logging.getLogger(__name__)

#: arq's own cap on deliveries; the job handler bounds its retries itself (attempts,
#: grace period), so this only stops a job that keeps finding the database down.
MAX_TRIES = 1000
#: arq keeps a job's outcome this long; the job's own record is in the database.
KEEP_RESULT_SECONDS = 300
JOB_TIMEOUT_SECONDS = 3600


def worker_settings(settings: Settings, container: Container | None = None) -> dict[str, Any]:
    """arq ``WorkerSettings`` as a dict, for ``arq.worker.create_worker``/``run_worker``.

    The worker uses ``container`` (tests pass one with overridden providers), else one
    built from ``settings``; it is stopped when the worker shuts down.
    """
    if settings.redis_url is None:
        raise SettingsError("REPORTGEN_REDIS_URL must be set to run `reportgen worker`.")
    if container is None:
        container = build_container(settings)

    async def on_startup(ctx: dict[str, Any]) -> None:
        ctx["container"] = container
        logger.info("reportgen worker ready on queue %s", QUEUE_NAME)

    async def on_shutdown(_: dict[str, Any]) -> None:
        await stop_services(container)

    functions: list[Function] = [func(run_report_job, name=RUN_REPORT_JOB, max_tries=MAX_TRIES)]
    return {
        "functions": functions,
        # Every minute, on one worker at a time.
        "cron_jobs": [cron(sweep_jobs, name="sweep_jobs", second=0, unique=True)],
        "queue_name": QUEUE_NAME,
        "redis_settings": redis_settings(settings.redis_url),
        "job_serializer": serialize,
        "job_deserializer": deserialize,
        "on_startup": on_startup,
        "on_shutdown": on_shutdown,
        "max_tries": MAX_TRIES,
        "job_timeout": JOB_TIMEOUT_SECONDS,
        "keep_result": KEEP_RESULT_SECONDS,
        "handle_signals": True,
    }
