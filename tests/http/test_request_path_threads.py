"""A generate and a status poll run on the event loop: nothing of theirs goes to Litestar's
thread pool, a hop (and a context switch) per request that the API does not need."""

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from litestar import concurrency
from litestar.testing import AsyncTestClient

from entrypoints.container import Container
from tests.http.conftest import TokenFactory, bearer, job_rows

pytestmark = pytest.mark.usefixtures("held")


class CountingExecutor(ThreadPoolExecutor):
    """A thread pool that counts what it is given."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.submitted: list[str] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.submitted.append(repr(args[0] if args else fn))
        return super().submit(fn, *args, **kwargs)


@pytest.fixture
def litestar_threads() -> Iterator[CountingExecutor]:
    executor = CountingExecutor()
    concurrency.set_asyncio_executor(executor)
    try:
        yield executor
    finally:
        concurrency.set_asyncio_executor(None)
        executor.shutdown()


async def test_generate_and_poll_use_no_litestar_thread(
    client: AsyncTestClient, token: TokenFactory, litestar_threads: CountingExecutor
) -> None:
    headers = bearer(token(sub="alice"))
    accepted = await client.post(
        "/api/v1/reports/report-123/generate?x=1", json={"format": "csv"}, headers=headers
    )
    assert accepted.status_code == 202
    polled = await client.get(f"/api/v1/jobs/{accepted.json()['jobId']}", headers=headers)
    assert polled.status_code == 200

    assert litestar_threads.submitted == []


async def test_refusals_use_no_litestar_thread(
    client: AsyncTestClient, token: TokenFactory, litestar_threads: CountingExecutor
) -> None:
    headers = bearer(token(sub="alice"))
    unknown = await client.post("/api/v1/reports/nope/generate", json={}, headers=headers)
    invalid = await client.post(
        "/api/v1/reports/report-123/generate", json={"format": "pdf"}, headers=headers
    )
    forbidden = await client.post(
        "/api/v1/reports/report-123/generate", json={}, headers=bearer(token(scopes=()))
    )
    anonymous = await client.post("/api/v1/reports/report-123/generate", json={})

    assert [r.status_code for r in (unknown, invalid, forbidden, anonymous)] == [404, 422, 403, 401]
    assert litestar_threads.submitted == []


async def test_without_an_exporter_a_request_is_not_traced(
    client: AsyncTestClient, token: TokenFactory, container: Container
) -> None:
    accepted = await client.post(
        "/api/v1/reports/report-123/generate", json={}, headers=bearer(token(sub="alice"))
    )

    assert accepted.status_code == 202
    [row] = await job_rows(container)
    assert row["trace_parent"] is None
    assert container.run_tracer() is None
