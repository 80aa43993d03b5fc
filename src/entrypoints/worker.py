"""The arq worker of reportgen: its settings, built from ``Settings`` (nothing at import)."""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from adapters.arq.worker import worker_settings as arq_worker_settings
from entrypoints.composition import each_time_fresh, job_handler
from entrypoints.container import Container, build_container
from entrypoints.lifecycle import start_services, stop_services
from entrypoints.settings import Settings, SettingsError
from entrypoints.worker_metrics import WorkerMetrics

#: How long after a job's runtime limit arq cancels a run that did not stop by itself.
_ARQ_TIMEOUT_MARGIN = timedelta(seconds=30)


def worker_settings(settings: Settings, container: Container | None = None) -> dict[str, Any]:
    """arq ``WorkerSettings`` as a dict, for ``arq.worker.create_worker``/``run_worker``.

    The worker uses ``container`` (tests pass one with overridden providers), else one
    built from ``settings``; its services stop when the worker shuts down. With
    ``REPORTGEN_WORKER_METRICS_ADDRESS`` it serves its Prometheus metrics there while it
    runs.
    """
    if settings.redis_url is None:
        raise SettingsError("REPORTGEN_REDIS_URL must be set to run `reportgen worker`.")
    if container is None:
        container = build_container(settings)
    run_job = job_handler(container.run_report_job)
    sweep: Callable[[], Awaitable[object]] = each_time_fresh(container.sweep_jobs)
    metrics = None
    if (address := settings.worker_metrics_address) is not None:
        metrics = WorkerMetrics(address, settings.redis_url, settings, container)
        run_job, sweep = metrics.handler(run_job), metrics.sweep(sweep)

    async def on_startup() -> None:
        await start_services(container)
        if metrics is not None:
            metrics.start()

    async def on_shutdown() -> None:
        if metrics is not None:
            metrics.stop()
        await stop_services(container)

    return arq_worker_settings(
        redis_url=settings.redis_url,
        run_job=run_job,
        sweep=sweep,
        sweep_interval=settings.sweep.interval,
        # The job's own worker stops it at its runtime limit, and fails it with a reason;
        # arq's cancellation is a backstop for a run that does not stop.
        job_timeout=settings.jobs.runtime_limit + _ARQ_TIMEOUT_MARGIN,
        poll_interval=settings.timeouts.worker_poll,
        on_startup=on_startup,
        on_shutdown=on_shutdown,
    )
