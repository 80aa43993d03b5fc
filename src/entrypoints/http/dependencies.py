"""The bridge from the container to Litestar: plain provider functions, one per product.

Each call asks the container again, so tests that override a provider see
their override in the next request.
"""

from collections.abc import Callable
from typing import Any

from litestar.di import Provide

from entrypoints.container import Container
from entrypoints.http.downloads import ResultDownloads
from entrypoints.http.identity import principal_of
from entrypoints.http.job_bodies import JobPresenter
from entrypoints.http.links import LinkBuilder


def _from(provider: Callable[[], Any]) -> Provide:
    def provide() -> Any:
        return provider()

    return Provide(provide, sync_to_thread=False)


def http_dependencies(container: Container) -> dict[str, Provide]:
    """Litestar dependencies handing out what ``container`` builds, the HTTP layer's own
    helpers, and the caller's ``principal``."""
    links = LinkBuilder(container.settings().public_base_url)
    products: dict[str, Callable[[], Any]] = {
        "generate_report": container.generate_report,
        "get_job": container.get_job,
        "list_jobs": container.list_jobs,
        "cancel_job": container.cancel_job,
        "download_result": container.download_result,
        "list_reports": container.list_reports,
        "get_report": container.get_report,
        "create_report": container.create_report,
        "replace_report": container.replace_report,
        "delete_report": container.delete_report,
        "read_report_history": container.read_report_history,
        "check_readiness": container.check_readiness,
        "links": lambda: links,
        "presenter": lambda: JobPresenter(links, container.clock()),
        "downloads": ResultDownloads,
    }
    dependencies = {name: _from(provider) for name, provider in products.items()}
    dependencies["principal"] = Provide(principal_of, sync_to_thread=False)
    return dependencies
