"""``GET /health`` (the process lives) and ``GET /health/ready`` (its dependencies answer)."""

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from application.common.readiness import READY
from entrypoints.http.dependencies import HttpServices
from entrypoints.http.schemas import HealthBody


class HealthController(Controller):
    """Liveness and readiness for load balancers and orchestrators."""

    path = "/health"
    tags = ["Health"]  # noqa: RUF012 - Litestar reads a plain class attribute

    @get("/", summary="Liveness", status_code=HTTP_200_OK)
    async def live(self) -> HealthBody:
        """200 while the process lives."""
        return HealthBody(status="ok")

    @get(
        "/ready",
        summary="Readiness: the database and the scheduler answer",
        responses={503: ResponseSpec(HealthBody, description="A dependency does not answer")},
    )
    async def ready(self, services: NamedDependency[HttpServices]) -> Response[HealthBody]:
        """200 when every dependency answers, else 503 with what failed."""
        checks = await services.check_readiness.execute()
        failing = sorted(name for name, outcome in checks.items() if outcome != READY)
        if not failing:
            return Response(HealthBody(status="ok", checks=checks))
        return Response(
            HealthBody(
                status="unavailable",
                checks=checks,
                error=f"Not ready: {', '.join(failing)} not answering.",
            ),
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
        )
