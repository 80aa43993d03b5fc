"""The arq worker of reportgen: its settings, built from ``Settings`` (nothing at import)."""

from typing import Any

from adapters.arq.worker import worker_settings as arq_worker_settings
from entrypoints.composition import each_time_fresh, job_handler
from entrypoints.container import Container, build_container
from entrypoints.lifecycle import start_services, stop_services
from entrypoints.settings import Settings, SettingsError


def worker_settings(settings: Settings, container: Container | None = None) -> dict[str, Any]:
    """arq ``WorkerSettings`` as a dict, for ``arq.worker.create_worker``/``run_worker``.

    The worker uses ``container`` (tests pass one with overridden providers), else one
    built from ``settings``; its services stop when the worker shuts down.
    """
    if settings.redis_url is None:
        raise SettingsError("REPORTGEN_REDIS_URL must be set to run `reportgen worker`.")
    if container is None:
        container = build_container(settings)
    return arq_worker_settings(
        redis_url=settings.redis_url,
        run_job=job_handler(container.run_report_job),
        sweep=each_time_fresh(container.sweep_jobs),
        sweep_interval=settings.sweep.interval,
        job_timeout=settings.limits.job_timeout,
        poll_interval=settings.timeouts.worker_poll,
        on_startup=lambda: start_services(container),
        on_shutdown=lambda: stop_services(container),
    )
