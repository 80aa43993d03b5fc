"""The direct SQLite reader: which URLs it takes, its read-only file, what leaving it stops."""

import asyncio
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from adapters.sqlalchemy.data_sources import SqlAlchemyReportQueries
from adapters.sqlalchemy.demo_data import load_demo_sales
from adapters.sqlalchemy.sqlite_rows import sqlite_file
from application.common.errors import DataSourceUnavailable, ReportLimitExceeded
from application.reports.ports import Row

SLOW_QUERY = (
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 100000000)"
    " SELECT x FROM n"
)
SORT_OF_A_BILLION = (
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000000000)"
    " SELECT x FROM n ORDER BY x DESC"
)


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite+aiosqlite:///var/demo.sqlite3", Path("var/demo.sqlite3")),
        ("sqlite+aiosqlite:////srv/data/sales.db", Path("/srv/data/sales.db")),
        ("sqlite:///sales.db", Path("sales.db")),
        ("sqlite+aiosqlite://", None),
        ("sqlite+aiosqlite:///:memory:", None),
        ("sqlite+aiosqlite:///file:sales.db?mode=ro&uri=true", None),
        ("sqlite+aiosqlite:///sales.db?timeout=30", None),
        ("postgresql+asyncpg://reader@db/sales", None),
    ],
)
def test_only_plain_sqlite_file_urls_are_read_directly(url: str, path: Path | None) -> None:
    assert sqlite_file(url) == path


async def test_a_missing_sqlite_file_is_unavailable_and_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "missing.sqlite3"
    queries = SqlAlchemyReportQueries({"demo": f"sqlite+aiosqlite:///{missing}"})
    with pytest.raises(DataSourceUnavailable):
        async with queries.run("demo", "SELECT 1", {}, (), batch_size=10):
            pass
    assert not missing.exists()


class Batches:
    def __init__(self) -> None:
        self.rows: list[Row] = []

    def write_rows(self, rows: Sequence[Row]) -> None:
        self.rows.extend(rows)


class FullDisk:
    def write_rows(self, rows: Sequence[Row]) -> None:
        raise OSError(28, "No space left on device")


@pytest.mark.parametrize("direct_sqlite", [True, False], ids=["direct", "sqlalchemy"])
async def test_a_sink_that_fails_raises_its_own_error_not_the_data_sources(
    sqlite_url: str, direct_sqlite: bool
) -> None:
    await load_demo_sales(sqlite_url, rows=10)
    queries = SqlAlchemyReportQueries({"demo": sqlite_url}, direct_sqlite=direct_sqlite)
    try:
        async with queries.run("demo", "SELECT id FROM sales", {}, (), batch_size=5) as source:
            with pytest.raises(OSError, match="No space left") as failure:
                await anext(source.pour(FullDisk()))
    finally:
        await queries.stop()
    assert not isinstance(failure.value, DataSourceUnavailable)


async def test_leaving_while_sqlite_still_computes_interrupts_it(sqlite_url: str) -> None:
    await load_demo_sales(sqlite_url, rows=1)
    queries = SqlAlchemyReportQueries({"demo": sqlite_url}, timeout_seconds=0.2)

    async def first_batch() -> None:
        async with queries.run("demo", SORT_OF_A_BILLION, {}, (), batch_size=10) as source:
            await anext(source.pour(FullDisk()))

    started = time.monotonic()
    async with asyncio.timeout(10):  # without the interrupt, leaving waits for the whole sort
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(first_batch(), timeout=1.0)  # cancelled while it sorts
    await queries.stop()
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("direct_sqlite", [True, False], ids=["direct", "sqlalchemy"])
async def test_a_query_computing_past_its_timeout_stops_naming_the_limit(
    sqlite_url: str, direct_sqlite: bool
) -> None:
    await load_demo_sales(sqlite_url, rows=1)
    queries = SqlAlchemyReportQueries({"demo": sqlite_url}, direct_sqlite=direct_sqlite)
    running = queries.run("demo", SORT_OF_A_BILLION, {}, (), batch_size=10, timeout_seconds=0.5)
    try:
        async with asyncio.timeout(30):  # the sort alone would take minutes
            with pytest.raises(ReportLimitExceeded) as failure:
                async with running as source:
                    await anext(source.pour(Batches()))
    finally:
        await queries.stop()
    assert failure.value.message == "The report query ran longer than 0.5 s."


async def test_the_timeout_bounds_each_fetch_not_the_whole_stream(sqlite_url: str) -> None:
    await load_demo_sales(sqlite_url, rows=1)
    queries = SqlAlchemyReportQueries({"demo": sqlite_url})
    sink = Batches()
    async with queries.run("demo", SLOW_QUERY, {}, (), batch_size=10, timeout_seconds=2) as rows:
        batches = rows.pour(sink)
        assert await anext(batches) == 10
        await asyncio.sleep(2.5)  # the writer was slow: the query itself was not
        assert await anext(batches) == 10
    await queries.stop()
    assert sink.rows == [(n,) for n in range(1, 21)]
