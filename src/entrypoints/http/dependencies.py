"""The bridge from the container to Litestar: plain provider functions, one per product.

Each call asks the container again, so tests that override a provider see
their override in the next request.
"""

from collections.abc import Callable
from typing import Any

from litestar.di import Provide

from adapters.sqlalchemy.engine import ping
from entrypoints.container import Container
from entrypoints.http.health import ReadinessProbes


def _from(provider: Callable[[], Any]) -> Provide:
    def provide() -> Any:
        return provider()

    return Provide(provide, sync_to_thread=False)


def http_dependencies(container: Container) -> dict[str, Provide]:
    """Litestar dependencies handing out what ``container`` builds."""

    def readiness() -> ReadinessProbes:
        async def database() -> None:
            await ping(container.engine())

        async def scheduler() -> None:
            await container.scheduler().ping()

        return ReadinessProbes({"database": database, "scheduler": scheduler})

    products: dict[str, Callable[[], Any]] = {
        "generate_report": container.generate_report,
        "get_job": container.get_job,
        "list_reports": container.list_reports,
        "get_report": container.get_report,
        "create_report": container.create_report,
        "replace_report": container.replace_report,
        "delete_report": container.delete_report,
        "report_history": container.report_history,
        "list_jobs": container.list_jobs,
        "cancel_job": container.cancel_job,
        "get_job_result": container.get_job_result,
        "downloads": container.result_downloads,
        "links": container.links,
        "presenter": container.job_presenter,
        "readiness": readiness,
    }
    return {name: _from(provider) for name, provider in products.items()}
