"""Report queries on a real PostgreSQL bounded in time, stopped by a cancellation, run once
and leaving nothing on the server."""

import asyncio
from collections.abc import AsyncIterator, Sequence

import asyncpg
import pytest

from adapters.sqlalchemy.data_sources import SqlAlchemyReportQueries
from application.common.errors import ReportLimitExceeded
from application.reports.ports import Row

pytestmark = pytest.mark.postgres

SLEEP = "SELECT pg_sleep(600) AS slept"
FOR_EVER = (
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) AS rows FROM n"
)


class Rows:
    def __init__(self) -> None:
        self.rows: list[Row] = []

    def write_rows(self, rows: Sequence[Row]) -> None:
        self.rows.extend(rows)


@pytest.fixture
async def queries(postgres_url: str) -> AsyncIterator[SqlAlchemyReportQueries]:
    queries = SqlAlchemyReportQueries({"sales": postgres_url})
    yield queries
    await queries.stop()


@pytest.fixture
async def server(postgres_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection of the test's own to the data source's database, to watch the server."""
    connection = await asyncpg.connect(postgres_url.replace("+asyncpg", ""), timeout=5)
    yield connection
    await connection.close()


async def run_to_the_end(
    queries: SqlAlchemyReportQueries, query: str, limit: float | None = None
) -> list[Row]:
    sink = Rows()
    async with queries.run("sales", query, {}, (), batch_size=100, timeout_seconds=limit) as rows:
        async for _ in rows.pour(sink):
            pass
    return sink.rows


async def report_queries_running(server: asyncpg.Connection) -> list[str]:
    """The statements other sessions of this database are running."""
    rows = await server.fetch(
        "SELECT query FROM pg_stat_activity WHERE datname = current_database()"
        " AND pid <> pg_backend_pid() AND state <> 'idle'"
    )
    return [row["query"] for row in rows]


@pytest.mark.parametrize("query", [SLEEP, FOR_EVER], ids=["pg_sleep", "recursive"])
async def test_a_query_past_its_timeout_is_stopped_on_the_server(
    queries: SqlAlchemyReportQueries, server: asyncpg.Connection, query: str
) -> None:
    async with asyncio.timeout(30):  # the query alone would run for ten minutes, or ever
        with pytest.raises(ReportLimitExceeded) as failure:
            await run_to_the_end(queries, query, limit=0.5)
    assert failure.value.message == "The report query ran longer than 0.5 s."
    assert await report_queries_running(server) == []


async def test_a_cancelled_run_stops_its_query_on_the_server(
    queries: SqlAlchemyReportQueries, server: asyncpg.Connection
) -> None:
    running = asyncio.create_task(run_to_the_end(queries, SLEEP, limit=600))
    for _ in range(100):  # ten seconds at most
        if SLEEP in await report_queries_running(server):
            break
        await asyncio.sleep(0.1)
    assert SLEEP in await report_queries_running(server)
    running.cancel()
    async with asyncio.timeout(10):
        with pytest.raises(asyncio.CancelledError):
            await running
    for _ in range(50):  # five seconds at most
        if not await report_queries_running(server):
            break
        await asyncio.sleep(0.1)
    assert await report_queries_running(server) == []


async def test_a_query_taking_an_advisory_lock_runs_once_and_leaves_no_lock(
    queries: SqlAlchemyReportQueries, server: asyncpg.Connection
) -> None:
    query = "SELECT pg_advisory_lock(42) IS NULL AS unlocked, x FROM generate_series(1, 3) AS x"
    async with asyncio.timeout(20):  # a second run of it (a count) would wait for the lock
        rows = await run_to_the_end(queries, query)
    assert [tuple(row) for row in rows] == [(False, 1), (False, 2), (False, 3)]
    held = await server.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
    assert held == 0
