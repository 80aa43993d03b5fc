"""The Python client on the real app in-process: a blocking test client on a real SQLite file."""

from collections.abc import Iterator

import httpx
import pytest
from litestar.testing import TestClient
from litestar.testing.transport import TestClientTransport

from adapters.sqlalchemy.demo_data import load_demo_sales
from entrypoints.client import ReportgenClient
from entrypoints.container import Container
from entrypoints.http.app import create_app
from tests.http.conftest import run_jobs_beside_the_app

SALES_ROWS = 500


@pytest.fixture
async def sales(container: Container) -> str:
    """The demo data source, holding a few hundred sales."""
    url = container.settings().data_sources["demo"]
    await load_demo_sales(url, rows=SALES_ROWS)
    return url


@pytest.fixture
def app_client(
    container: Container, sales: str, request: pytest.FixtureRequest
) -> Iterator[TestClient]:  # type: ignore[type-arg]
    """A blocking test client on the real app, running jobs beside it (unless ``held``)."""
    if "held" in request.fixturenames:
        request.getfixturevalue("held")  # jobs stay Queued: no worker runs them
    else:
        run_jobs_beside_the_app(container)
    with TestClient(app=create_app(container)) as http:
        yield http


class AppTransport(httpx.BaseTransport):
    """Litestar's test transport (on the test client's event loop), as an httpx transport."""

    def __init__(self, http: TestClient) -> None:  # type: ignore[type-arg]
        self._inner = TestClientTransport(client=http)  # type: ignore[arg-type]

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._inner.handle_request(request)


def python_client(http: TestClient, token: str) -> ReportgenClient:  # type: ignore[type-arg]
    """A ``ReportgenClient`` of its own, sending its requests to the app behind ``http``."""
    return ReportgenClient(str(http.base_url), token, timeout=10, transport=AppTransport(http))


class OldServerTransport(AppTransport):
    """The app as a server without event streams would answer; records the requests."""

    def __init__(self, http: TestClient) -> None:  # type: ignore[type-arg]
        super().__init__(http)
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.endswith("/events"):
            return httpx.Response(404, json={"error": "Not Found"})
        return super().handle_request(request)
