"""The bridge from the container to Litestar: plain provider functions, one per product.

Each call asks the container again, so tests that override a provider see
their override in the next request.
"""

from litestar.di import Provide

from adapters.sqlalchemy.engine import ping
from application.generate_report import GenerateReportUseCase
from entrypoints.container import Container
from entrypoints.http.health import ReadinessProbes
from entrypoints.http.links import LinkBuilder


def http_dependencies(container: Container) -> dict[str, Provide]:
    """Litestar dependencies handing out what ``container`` builds."""

    def generate_report() -> GenerateReportUseCase:
        return container.generate_report()

    def links() -> LinkBuilder:
        return container.links()

    def readiness() -> ReadinessProbes:
        async def database() -> None:
            await ping(container.engine())

        async def scheduler() -> None:
            await container.scheduler().ping()

        return ReadinessProbes({"database": database, "scheduler": scheduler})

    return {
        name: Provide(provider, sync_to_thread=False)
        for name, provider in {
            "generate_report": generate_report,
            "links": links,
            "readiness": readiness,
        }.items()
    }
