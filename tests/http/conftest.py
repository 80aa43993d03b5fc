"""The real Litestar app on a real SQLite file, with the demo reports, driven by a test client."""

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_asyncio
import sqlalchemy as sa
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.migrate import upgrade_database
from adapters.sqlalchemy.tables import job_execution_log
from entrypoints.container import Container, build_container
from entrypoints.demo import DEMO_REPORTS
from entrypoints.embedded_worker import EmbeddedWorker
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.fakes import FakeScheduler

SECRET = "test-secret-that-is-long-enough-for-hs256!"
TokenFactory = Callable[..., str]


@pytest.fixture
def env(tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, str]:
    """The service's environment; ``parametrize("env", [...], indirect=True)`` adds to it."""
    extra: dict[str, str] = getattr(request, "param", {})
    return {"REPORTGEN_DATA_DIR": str(tmp_path), "REPORTGEN_JWT_SECRET": SECRET, **extra}


async def prepared_container(env: dict[str, str], *, migrate: bool = True) -> Container:
    """A container for ``env`` on a migrated database holding the demo reports."""
    container = build_container(Settings.from_env(env))
    if migrate:
        await upgrade_database(container.settings().database_url)
        async with container.unit_of_work() as uow:
            for report in DEMO_REPORTS:
                await uow.reports.add(report)
            await uow.commit()
        # The test client runs the app on a loop of its own: leave it no pooled connections.
        await container.engine().dispose()
    return container


@pytest_asyncio.fixture
async def container(env: dict[str, str]) -> AsyncIterator[Container]:
    container = await prepared_container(env)
    yield container
    await container.engine().dispose()


@pytest.fixture
def held(container: Container) -> FakeScheduler:
    """Jobs are created but never run: they stay ``Queued``."""
    scheduler = FakeScheduler()
    container.scheduler.override(providers.Object(scheduler))
    return scheduler


def run_jobs_beside_the_app(container: Container) -> None:
    """The API process runs no job: make the app start an embedded worker with it, on its
    loop, as ``reportgen serve`` starts one in a process of its own."""
    worker = EmbeddedWorker(container, 0)
    container.services.override(providers.List(container.scheduler, providers.Object(worker)))


@pytest_asyncio.fixture
async def client(
    container: Container, request: pytest.FixtureRequest
) -> AsyncIterator[AsyncTestClient]:
    if "held" in request.fixturenames:
        request.getfixturevalue("held")  # jobs stay Queued: no worker runs them
    else:
        run_jobs_beside_the_app(container)
    async with AsyncTestClient(app=create_app(container)) as test_client:
        yield test_client


def issue_token(
    container: Container,
    sub: str = "alice",
    roles: tuple[str, ...] = ("analyst",),
    scopes: tuple[str, ...] = ("reports:generate",),
    ttl: int = 300,
) -> str:
    """A token signed with the service's own key."""
    issuer = container.token_issuer()
    return issuer.issue(sub, list(roles), list(scopes), ttl, container.clock().now())


@pytest.fixture
def token(container: Container) -> TokenFactory:
    """Signs a token with the service's key: ``token(sub=..., roles=(...), scopes=(...))``."""

    def make(**claims: object) -> str:
        return issue_token(container, **claims)  # type: ignore[arg-type]

    return make


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def job_rows(container: Container) -> list[dict[str, object]]:
    """Every row of ``JobExecutionLog``, read straight from the database.

    On an engine of its own: the app's engine belongs to the test client's loop.
    """
    engine = create_engine(container.settings().database_url)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(sa.select(job_execution_log))
            return [dict(row) for row in result.mappings()]
    finally:
        await engine.dispose()
