"""``GET /health`` (the process lives) and ``GET /health/ready`` (its dependencies answer)."""

import asyncio
from collections.abc import Awaitable, Callable

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from application.errors import ServiceUnavailable
from entrypoints.http.schemas import HealthBody

Probe = Callable[[], Awaitable[None]]


class ReadinessProbes:
    """The checks behind ``/health/ready``, by name (``database``, ``scheduler``)."""

    def __init__(self, probes: dict[str, Probe], timeout_seconds: float = 2.0) -> None:
        self.probes = probes
        self.timeout_seconds = timeout_seconds

    async def run(self) -> dict[str, str]:
        """Run every probe at once; each answers ``ok`` or why it is not."""
        names = list(self.probes)
        outcomes = await asyncio.gather(*(self._one(self.probes[n]) for n in names))
        return dict(zip(names, outcomes, strict=True))

    async def _one(self, probe: Probe) -> str:
        try:
            async with asyncio.timeout(self.timeout_seconds):
                await probe()
        except ServiceUnavailable as exc:
            return exc.message
        except TimeoutError:
            return "No answer in time."
        return "ok"


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
    async def ready(self, readiness: NamedDependency[ReadinessProbes]) -> Response[HealthBody]:
        """200 when every dependency answers, else 503 with what failed."""
        checks = await readiness.run()
        failing = sorted(name for name, outcome in checks.items() if outcome != "ok")
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
