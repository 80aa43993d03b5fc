"""The Litestar application factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from litestar import Litestar, Router
from litestar.middleware import DefineMiddleware
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController

from entrypoints.container import Container
from entrypoints.http.deliveries import JobDeliveriesController
from entrypoints.http.dependencies import http_dependencies
from entrypoints.http.errors import EXCEPTION_HANDLERS
from entrypoints.http.generate import ReportGenerationController
from entrypoints.http.health import HealthController
from entrypoints.http.hosts import AllowedHosts
from entrypoints.http.identity import BearerAuthentication
from entrypoints.http.job_events import JobEventsController
from entrypoints.http.jobs import JobsController
from entrypoints.http.openapi_document import finish, openapi_config
from entrypoints.http.reports_admin import ReportAdminController
from entrypoints.http.reports_read import ReportsController
from entrypoints.http.request_ids import RequestIds
from entrypoints.http.requests import ApiRequest, refuse_control_characters
from entrypoints.http.swagger_ui import swagger_ui_assets
from entrypoints.lifecycle import start_services, stop_services
from entrypoints.stopping import when_stopping
from entrypoints.tracing import http_tracing


def _version() -> str:
    try:
        return version("reportgen")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


def create_app(container: Container) -> Litestar:
    """The HTTP API on ``container``; its services start and stop with the app's lifespan.

    Every route under ``/api/v1`` authenticates the caller first (401 before
    anything else about the request); health, metrics and the schema are open.
    Every answer carries the request's ``X-Request-ID``.
    """

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await start_services(container)
        try:
            with when_stopping(container.job_changes().stop_watching):
                yield
        finally:
            await stop_services(container)

    metrics = PrometheusConfig(app_name="reportgen", prefix="reportgen", group_path=True)
    middleware: list[Any] = [metrics.middleware]
    if (hosts := container.settings().allowed_hosts) is not None:
        middleware.insert(0, DefineMiddleware(AllowedHosts, hosts=hosts))
    app = Litestar(
        route_handlers=[
            Router(
                "/api/v1",
                route_handlers=[
                    Router(
                        "/reports",
                        route_handlers=[
                            ReportGenerationController,
                            ReportsController,
                            ReportAdminController,
                        ],
                    ),
                    JobDeliveriesController,
                    JobsController,
                    JobEventsController,
                ],
                middleware=[
                    DefineMiddleware(BearerAuthentication, verifier=container.token_verifier)
                ],
                before_request=refuse_control_characters,
            ),
            HealthController,
            PrometheusController,
            swagger_ui_assets(),
        ],
        dependencies=http_dependencies(container),
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        openapi_config=openapi_config(_version()),
        middleware=middleware,
        lifespan=[lifespan],
        request_class=ApiRequest,
        plugins=http_tracing(container.settings().tracing),
        logging_config=None,  # the process's own set-up (``entrypoints.logs``) stays
    )
    finish(app)
    # Outside everything Litestar runs, its exception handling and routing included, so
    # that every answer (a 404 for an unknown path too) carries the request id.
    app.asgi_handler = RequestIds(app.asgi_handler)
    return app
