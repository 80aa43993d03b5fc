"""AC-006: the queue or the database fails while a job is created.

The answer is 503 with Retry-After, quickly; no job row is left behind; and the
service recovers by itself once the failed part is back.
"""

import time
from collections.abc import Iterator

import pytest
import redis.asyncio as aioredis
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from adapters.arq.wire import QUEUE_NAME
from adapters.sqlalchemy.migrate import upgrade_database
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from application.common.errors import StorageUnavailable
from entrypoints.container import Container
from entrypoints.http.app import create_app
from tests.fakes import FakeScheduler
from tests.http.conftest import (
    TokenFactory,
    bearer,
    issue_token,
    job_rows,
    prepared_container,
)
from tests.support.tcp import ForwarderThread, SilentServer

URL = "/api/v1/reports/report-123/generate"


class CommitFailsUnitOfWork(SqlAlchemyUnitOfWork):
    """The real unit of work, whose commit never goes through."""

    async def commit(self) -> None:
        raise StorageUnavailable("The database did not accept the commit.")


async def _post_timed(client: AsyncTestClient, token: str) -> tuple[int, dict[str, str], float]:
    started = time.monotonic()
    response = await client.post(URL, headers=bearer(token))
    return response.status_code, dict(response.headers), time.monotonic() - started


def _assert_unavailable(status: int, headers: dict[str, str], elapsed: float) -> None:
    assert status == 503
    assert int(headers["retry-after"]) > 0
    assert elapsed < 3.0


async def test_scheduler_failure_is_503_and_leaves_no_row(
    client: AsyncTestClient,
    container: Container,
    token: TokenFactory,
) -> None:
    failing = FakeScheduler()
    failing.fail = True
    container.scheduler.override(providers.Object(failing))
    response = await client.post(URL, headers=bearer(token()))
    assert response.status_code == 503
    assert response.headers["retry-after"]
    assert "Try again later" in response.json()["error"]
    assert await job_rows(container) == []


@pytest.mark.redis
@pytest.mark.parametrize("env", [{}], indirect=True)
async def test_commit_failure_after_enqueue_leaves_a_queued_message_without_a_row(
    env: dict[str, str], redis_url: str
) -> None:
    container = await prepared_container({**env, "REPORTGEN_REDIS_URL": redis_url})
    container.unit_of_work.override(providers.Factory(CommitFailsUnitOfWork, container.engine))
    token = issue_token(container)
    async with AsyncTestClient(app=create_app(container)) as client:
        response = await client.post(URL, headers=bearer(token))
    assert response.status_code == 503
    redis = aioredis.Redis.from_url(redis_url)
    try:
        queued = [job_id.decode() for job_id in await redis.zrange(QUEUE_NAME, 0, -1)]
        assert len(queued) == 1
        assert await redis.exists(f"arq:job:{queued[0]}")
    finally:
        await redis.aclose()
    assert await job_rows(container) == []  # the worker will find no row and drop it


@pytest.fixture
def redis_forwarder() -> Iterator[ForwarderThread]:
    forwarder = ForwarderThread("127.0.0.1", 6379)
    forwarder.start()
    yield forwarder
    forwarder.close()


@pytest.mark.redis
async def test_redis_outage_is_503_within_seconds_and_service_recovers_when_it_is_back(
    env: dict[str, str], redis_url: str, redis_forwarder: ForwarderThread
) -> None:
    database = redis_url.rsplit("/", 1)[1]
    url = f"redis://127.0.0.1:{redis_forwarder.port}/{database}"
    container = await prepared_container({**env, "REPORTGEN_REDIS_URL": url})
    token = issue_token(container)
    async with AsyncTestClient(app=create_app(container)) as client:
        assert (await _post_timed(client, token))[0] == 202
        redis_forwarder.stop()
        _assert_unavailable(*await _post_timed(client, token))
        ready = await client.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] == "ok"
        assert "scheduler" in ready.json()["error"]
        redis_forwarder.start()
        assert (await _post_timed(client, token))[0] == 202
        assert (await client.get("/health/ready")).status_code == 200
    assert [row["status"] for row in await job_rows(container)] == ["Queued", "Queued"]


async def test_redis_that_does_not_answer_is_503_within_seconds(env: dict[str, str]) -> None:
    silent = SilentServer()
    await silent.start()
    try:
        container = await prepared_container(
            {**env, "REPORTGEN_REDIS_URL": f"redis://127.0.0.1:{silent.port}/0"}
        )
        token = issue_token(container)
        async with AsyncTestClient(app=create_app(container)) as client:
            _assert_unavailable(*await _post_timed(client, token))
        assert await job_rows(container) == []
    finally:
        await silent.stop()


@pytest.mark.parametrize("hang", [False, True], ids=["refused", "silent"])
async def test_database_outage_is_503_within_seconds(env: dict[str, str], hang: bool) -> None:
    silent = SilentServer()
    await silent.start()
    port = silent.port if hang else 1
    database_url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/reportgen"
    container = await prepared_container(
        {**env, "REPORTGEN_DATABASE_URL": database_url}, migrate=False
    )
    token = issue_token(container)
    try:
        async with AsyncTestClient(app=create_app(container)) as client:
            _assert_unavailable(*await _post_timed(client, token))
            ready = await client.get("/health/ready")
            assert ready.status_code == 503
            assert ready.json()["checks"]["database"] != "ok"
    finally:
        await silent.stop()


@pytest.mark.postgres
async def test_postgres_outage_is_503_and_service_recovers_when_it_is_back(
    env: dict[str, str], postgres_url: str
) -> None:
    await upgrade_database(postgres_url)
    forwarder = ForwarderThread("127.0.0.1", 5432)
    forwarder.start()
    try:
        through_forwarder = postgres_url.replace(":5432/", f":{forwarder.port}/")
        container = await prepared_container({**env, "REPORTGEN_DATABASE_URL": through_forwarder})
        token = issue_token(container)
        async with AsyncTestClient(app=create_app(container)) as client:
            assert (await _post_timed(client, token))[0] == 202
            forwarder.stop()
            _assert_unavailable(*await _post_timed(client, token))
            forwarder.start()
            assert (await _post_timed(client, token))[0] == 202
        assert len(await job_rows(container)) == 2  # the two accepted; the refused one left none
    finally:
        forwarder.close()
