"""Report queries against a real SQLite file and a real PostgreSQL database: read-only, streamed."""

import asyncio
import contextlib
import socket
import sqlite3
import time
from collections.abc import AsyncIterator, Sequence
from datetime import date
from typing import NamedTuple, cast

import asyncpg
import pytest
import sqlalchemy as sa

from adapters.sqlalchemy.data_source_errors import classify_query_error
from adapters.sqlalchemy.data_sources import SqlAlchemyReportQueries
from adapters.sqlalchemy.demo_data import load_demo_sales, sales
from adapters.sqlalchemy.engine import create_engine
from application.common.errors import DataSourceUnavailable, ReportQueryFailed
from application.reports.ports import Row, RowSource
from domain.parameters import JsonScalar, ParameterSpec, ParameterType
from entrypoints.demo import SALES_PARAMETERS, SALES_QUERY
from tests.support.tcp import SilentServer

ROWS = 10_000
SLOW_QUERY = (
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 100000000)"
    " SELECT x FROM n"
)


class Reader(NamedTuple):
    """A database, and for SQLite whether its rows are read directly with ``sqlite3``."""

    database: str
    direct_sqlite: bool


@pytest.fixture(
    params=[
        Reader("sqlite", direct_sqlite=True),
        Reader("sqlite", direct_sqlite=False),
        pytest.param(Reader("postgres", direct_sqlite=True), marks=pytest.mark.postgres),
    ],
    ids=["sqlite", "sqlite-sqlalchemy", "postgres"],
)
def reader(request: pytest.FixtureRequest) -> Reader:
    return cast(Reader, request.param)


@pytest.fixture
def database_url(reader: Reader, request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{reader.database}_url"))


@pytest.fixture
async def queries(data_url: str, reader: Reader) -> AsyncIterator[SqlAlchemyReportQueries]:
    queries = SqlAlchemyReportQueries(
        {"demo": data_url}, timeout_seconds=2.0, direct_sqlite=reader.direct_sqlite
    )
    yield queries
    await queries.stop()


@pytest.fixture
def sales_rows() -> int:
    return ROWS


class BatchSink:
    """Keeps the rows poured into it, each as a list, in the batches ``pour`` yields."""

    def __init__(self) -> None:
        self.rows: list[list[object]] = []
        self.batches: list[list[list[object]]] = []

    def write_rows(self, rows: Sequence[Row]) -> None:
        self.rows.extend(list(row) for row in rows)

    async def pour(self, source: RowSource) -> AsyncIterator[int]:
        async for size in source.pour(self):
            assert len(self.rows) == sum(map(len, self.batches)) + size
            self.batches.append(self.rows[-size:])
            yield size


async def fetch(
    queries: SqlAlchemyReportQueries,
    query: str,
    parameters: dict[str, JsonScalar] | None = None,
    declared: Sequence[ParameterSpec] = SALES_PARAMETERS,
    batch_size: int = 1_000,
) -> tuple[list[list[list[object]]], int | None]:
    """The batches of rows (each row a list) and how many rows they hold."""
    sink = BatchSink()
    async with queries.run(
        "demo", query, parameters or {}, declared, batch_size=batch_size
    ) as source:
        async for _ in sink.pour(source):
            pass
    return sink.batches, sum(len(batch) for batch in sink.batches)


async def count_sales(url: str, *conditions: sa.ColumnElement[bool]) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            query = sa.select(sa.func.count()).select_from(sales).where(*conditions)
            return int(await connection.scalar(query) or 0)
    finally:
        await engine.dispose()


async def test_rows_stream_in_batches_of_the_requested_size(
    queries: SqlAlchemyReportQueries,
) -> None:
    async with queries.run("demo", SALES_QUERY, {}, SALES_PARAMETERS, batch_size=1_000) as source:
        assert list(source.columns) == [c.name for c in sales.columns]
        sink = BatchSink()
        sizes = [size async for size in sink.pour(source)]
    assert sizes == [1_000] * 10
    assert sorted(row[0] for batch in sink.batches for row in batch) == list(range(1, ROWS + 1))


async def test_left_out_parameters_are_bound_as_null_and_match_every_row(
    queries: SqlAlchemyReportQueries,
) -> None:
    batches, total_rows = await fetch(queries, SALES_QUERY, batch_size=4_000)
    assert [len(batch) for batch in batches] == [4_000, 4_000, 2_000]
    assert total_rows == ROWS


async def test_date_and_text_parameters_filter_the_rows(
    queries: SqlAlchemyReportQueries, data_url: str
) -> None:
    first, last = date(2024, 3, 1), date(2024, 3, 31)
    parameters: dict[str, JsonScalar] = {"start_date": "2024-03-01", "end_date": "2024-03-31"}
    batches, total_rows = await fetch(queries, SALES_QUERY, {**parameters, "region": "North"})
    rows = [row for batch in batches for row in batch]
    expected = await count_sales(
        data_url, sales.c.sale_date.between(first, last), sales.c.region == "North"
    )
    assert 0 < len(rows) == expected == total_rows
    assert {row[2] for row in rows} == {"North"}
    assert all(first.isoformat() <= str(row[1]) <= last.isoformat() for row in rows)


@pytest.mark.parametrize(
    ("spec", "value", "bound"),
    [
        (ParameterType.DATETIME, "2024-01-01T10:00:00Z", "2024-01-01 10:00:00.000000"),
        (ParameterType.DATE, "2024-03-01", "2024-03-01"),
        (ParameterType.BOOLEAN, True, 1),
        (ParameterType.NUMBER, 2.5, 2.5),
        (ParameterType.INTEGER, 7, 7),
        (ParameterType.STRING, "North", "North"),
        (ParameterType.STRING, None, None),
    ],
)
async def test_both_sqlite_readers_bind_a_parameter_as_sqlalchemy_stores_it(
    sqlite_url: str, spec: ParameterType, value: JsonScalar, bound: object
) -> None:
    await load_demo_sales(sqlite_url, rows=1)
    declared = (ParameterSpec("p", spec),)
    seen = []
    for direct_sqlite in (True, False):
        queries = SqlAlchemyReportQueries({"demo": sqlite_url}, direct_sqlite=direct_sqlite)
        try:
            batches, _ = await fetch(
                queries, "SELECT :p AS p, :p IS NULL AS n", {"p": value}, declared
            )
        finally:
            await queries.stop()
        seen.append(batches)
    assert seen == [[[[bound, int(bound is None)]]]] * 2


@pytest.mark.postgres
async def test_datetime_parameters_are_bound_as_aware_datetimes(postgres_url: str) -> None:
    queries = SqlAlchemyReportQueries({"demo": postgres_url})
    query = "SELECT :at = TIMESTAMPTZ '2024-01-01 12:00:00+02' AS same"
    declared = (ParameterSpec("at", ParameterType.DATETIME),)
    try:
        batches, _ = await fetch(queries, query, {"at": "2024-01-01T10:00:00Z"}, declared)
    finally:
        await queries.stop()
    assert batches == [[[True]]]


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("SELEC id, secret_column FROM sales", "syntax error"),
        ("SELECT id FROM no_such_table", "no_such_table"),
        ("SELECT id FROM sales WHERE id = :undeclared", "bind parameter 'undeclared'"),
    ],
)
async def test_a_query_the_database_refuses_fails_without_showing_sql_or_url(
    queries: SqlAlchemyReportQueries, data_url: str, query: str, reason: str
) -> None:
    with pytest.raises(ReportQueryFailed) as failure:
        await fetch(queries, query)
    message = failure.value.message
    assert message.startswith("The data source 'demo' refused the report's query")
    assert reason in failure.value.detail
    assert "secret_column" not in message
    assert "[SQL" not in message
    assert data_url not in message


@pytest.mark.parametrize(
    "query",
    [
        "INSERT INTO sales SELECT id + 1000000, sale_date, region, product, quantity,"
        " unit_price, amount FROM sales",
        "UPDATE sales SET quantity = 0",
        "DELETE FROM sales",
        "DROP TABLE sales",
        "WITH gone AS (DELETE FROM sales RETURNING id) SELECT id FROM gone",
    ],
)
async def test_a_writing_query_fails_and_changes_nothing(
    queries: SqlAlchemyReportQueries, data_url: str, query: str
) -> None:
    with pytest.raises(ReportQueryFailed):
        await fetch(queries, query)
    assert await count_sales(data_url, sales.c.quantity > 0) == ROWS


@pytest.mark.postgres
async def test_postgres_runs_the_query_in_a_read_only_transaction(postgres_url: str) -> None:
    await load_demo_sales(postgres_url, rows=100)
    engine = create_engine(postgres_url)
    async with engine.begin() as connection:
        await connection.execute(
            sa.text(
                "CREATE FUNCTION wipe_sales() RETURNS bigint LANGUAGE sql"
                " AS 'DELETE FROM sales; SELECT 1::bigint'"
            )
        )
    await engine.dispose()
    queries = SqlAlchemyReportQueries({"demo": postgres_url})
    try:
        with pytest.raises(ReportQueryFailed) as failure:
            await fetch(queries, "SELECT wipe_sales() AS wiped")
    finally:
        await queries.stop()
    assert "read-only transaction" in failure.value.detail
    assert await count_sales(postgres_url) == 100


@pytest.mark.parametrize("direct_sqlite", [True, False], ids=["direct", "sqlalchemy"])
async def test_a_query_cannot_switch_sqlite_read_only_mode_off(
    sqlite_url: str, direct_sqlite: bool
) -> None:
    await load_demo_sales(sqlite_url, rows=100)
    queries = SqlAlchemyReportQueries({"demo": sqlite_url}, direct_sqlite=direct_sqlite)
    try:
        with contextlib.suppress(ReportQueryFailed):  # it returns no rows
            await fetch(queries, "PRAGMA query_only = OFF")
        with pytest.raises(ReportQueryFailed) as failure:
            await fetch(queries, "DELETE FROM sales")
    finally:
        await queries.stop()
    assert "readonly" in failure.value.detail
    assert await count_sales(sqlite_url) == 100


async def test_a_huge_result_streams_at_once(data_url: str, reader: Reader) -> None:
    queries = SqlAlchemyReportQueries(
        {"demo": data_url}, timeout_seconds=0.5, direct_sqlite=reader.direct_sqlite
    )
    sink = BatchSink()
    started = time.monotonic()
    try:
        async with queries.run("demo", SLOW_QUERY, {}, (), batch_size=10) as source:
            assert await anext(sink.pour(source)) == 10
    finally:
        await queries.stop()
    assert [row[0] for row in sink.batches[0]] == list(range(1, 11))
    assert time.monotonic() - started < 5


async def test_an_unknown_data_source_is_refused() -> None:
    queries = SqlAlchemyReportQueries({})
    with pytest.raises(ReportQueryFailed, match=r"^Data source 'sales' is not configured\.$"):
        async with queries.run("sales", "SELECT 1", {}, (), batch_size=10):
            pass


async def test_a_closed_port_is_unavailable_within_seconds() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql+asyncpg://postgres:hunter2@127.0.0.1:{port}/reports"
    await assert_unavailable_quickly(url)


async def test_a_server_that_never_answers_is_unavailable_within_seconds() -> None:
    silent = SilentServer()
    await silent.start()
    try:
        await assert_unavailable_quickly(f"postgresql+asyncpg://postgres@127.0.0.1:{silent.port}/x")
    finally:
        await silent.stop()


async def assert_unavailable_quickly(url: str) -> None:
    queries = SqlAlchemyReportQueries({"demo": url}, timeout_seconds=1.0)
    started = time.monotonic()
    try:
        with pytest.raises(DataSourceUnavailable) as failure:
            await asyncio.wait_for(fetch(queries, "SELECT 1", declared=()), timeout=10)
    finally:
        await queries.stop()
    assert time.monotonic() - started < 4
    assert failure.value.message == "The data source 'demo' is unavailable."


def wrapped(driver_error: BaseException) -> BaseException:
    """``driver_error`` as SQLAlchemy raises it, with the statement attached."""
    return sa.exc.DBAPIError.instance("SELECT secret", {}, driver_error, sqlite3.Error)


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connect call failed ('10.0.0.1', 5432)"),
        TimeoutError(),
        sa.exc.TimeoutError("QueuePool limit reached"),
        wrapped(sqlite3.OperationalError("database is locked")),
        wrapped(sqlite3.OperationalError("unable to open database file")),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.QueryCanceledError("canceling statement due to statement timeout"),
    ],
)
def test_errors_of_an_unreachable_data_source_are_transient(error: BaseException) -> None:
    translated = classify_query_error("demo", error)
    assert isinstance(translated, DataSourceUnavailable)
    assert translated.message == "The data source 'demo' is unavailable."


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (wrapped(sqlite3.OperationalError("no such table: x")), "no such table: x"),
        (wrapped(sqlite3.OperationalError("attempt to write a readonly database")), "readonly"),
        (wrapped(sqlite3.IntegrityError("UNIQUE constraint failed")), "UNIQUE constraint"),
        (asyncpg.PostgresSyntaxError('syntax error at or near "SELEC"'), "syntax error"),
        (asyncpg.ReadOnlySQLTransactionError("cannot execute DELETE"), "cannot execute DELETE"),
        (asyncpg.DivisionByZeroError("division by zero"), "division by zero"),
        (asyncpg.DataError("invalid input for query argument $1"), "invalid input"),
    ],
)
def test_errors_the_query_causes_fail_it_with_a_short_reason(
    error: BaseException, message: str
) -> None:
    translated = classify_query_error("demo", error)
    assert isinstance(translated, ReportQueryFailed)
    assert translated.message.startswith("The data source 'demo' refused the report's query")
    assert message not in translated.message
    assert message in translated.detail
