"""Checking a report query without running it, on a real SQLite file and PostgreSQL.

A query passes when the data source is configured and explains it as one
read-only statement; anything else is refused without showing SQL, and the
data never changes.
"""

import asyncio
import socket
import time

import pytest
import sqlalchemy as sa

from adapters.sqlalchemy.data_sources import SqlAlchemyReportQueries
from adapters.sqlalchemy.demo_data import sales
from adapters.sqlalchemy.engine import create_engine
from application.common.errors import DataSourceUnavailable, ReportQueryFailed
from domain.parameters import ParameterSpec, ParameterType
from entrypoints.demo import SALES_PARAMETERS, SALES_QUERY

ROWS = 100
SINGLE = "The query must be a single statement."
READ_ONLY = "The query must be a read-only SELECT."


@pytest.fixture
def sales_rows() -> int:
    return ROWS


async def rows_in(url: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(sa.select(sales).order_by(sales.c.id))
            return [tuple(row) for row in result]
    finally:
        await engine.dispose()


async def refusal(queries: SqlAlchemyReportQueries, query: str) -> str:
    """What an administrator saving ``query`` reads: the refusal and the database's words."""
    with pytest.raises(ReportQueryFailed) as failure:
        await queries.check("demo", query, SALES_PARAMETERS)
    return f"{failure.value.message} {failure.value.detail}".strip()


@pytest.mark.parametrize(
    "query",
    [
        SALES_QUERY,
        SALES_QUERY + ";\n  -- the end\n",
        "  /* totals */ WITH totals AS (SELECT region, sum(amount) AS total FROM sales"
        " GROUP BY region) SELECT * FROM totals WHERE :region IS NULL OR region = :region",
        "SELECT ';' AS semicolon, count(*) AS n FROM sales",
    ],
)
async def test_a_single_read_only_query_passes(
    queries: SqlAlchemyReportQueries, query: str
) -> None:
    await queries.check("demo", query, SALES_PARAMETERS)


async def test_every_parameter_type_can_be_declared(queries: SqlAlchemyReportQueries) -> None:
    declared = tuple(ParameterSpec(f"p_{kind.value}", kind) for kind in ParameterType)
    query = "SELECT " + ", ".join(f":{spec.name} AS {spec.name}" for spec in declared)
    await queries.check("demo", query, declared)


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("SELEC id, secret_column FROM sales", "syntax error"),
        ("SELECT secret_column FROM sales", "secret_column"),
        ("SELECT id FROM no_such_table", "no_such_table"),
        ("SELECT id FROM sales WHERE id = :undeclared", "undeclared"),
    ],
)
async def test_a_query_the_database_refuses_fails_without_showing_sql(
    queries: SqlAlchemyReportQueries, data_url: str, query: str, reason: str
) -> None:
    message = await refusal(queries, query)
    assert message.startswith("The data source 'demo' refused the report's query")
    assert reason in message
    assert "FROM" not in message
    assert "[SQL" not in message
    assert data_url not in message


@pytest.mark.parametrize(
    "query",
    [
        "SELECT 1; SELECT 2",
        "SELECT id FROM sales; DELETE FROM sales",
        "SELECT id FROM sales;/* */ DROP TABLE sales;",
        "SELECT 'unterminated FROM sales",
    ],
)
async def test_more_than_one_statement_is_refused(
    queries: SqlAlchemyReportQueries, query: str
) -> None:
    assert await refusal(queries, query) == SINGLE


@pytest.mark.parametrize(
    "query",
    [
        "INSERT INTO sales SELECT id + 1000000, sale_date, region, product, quantity,"
        " unit_price, amount FROM sales",
        "UPDATE sales SET quantity = 0",
        "DELETE FROM sales",
        "delete from sales where id > 0;",
        "DROP TABLE sales",
        "WITH gone AS (DELETE FROM sales RETURNING id) SELECT id FROM gone",
    ],
)
async def test_a_writing_statement_is_refused_and_changes_nothing(
    queries: SqlAlchemyReportQueries, data_url: str, query: str
) -> None:
    before = await rows_in(data_url)
    with pytest.raises(ReportQueryFailed) as failure:
        await queries.check("demo", query, SALES_PARAMETERS)
    message = failure.value.message  # the database's words, if any, are in its detail
    assert message == READ_ONLY or message.startswith(
        "The data source 'demo' refused the report's query"
    )
    assert "sales" not in message.replace("sales_", "")
    assert await rows_in(data_url) == before
    assert len(before) == ROWS


async def test_an_unknown_data_source_is_refused() -> None:
    queries = SqlAlchemyReportQueries({})
    with pytest.raises(ReportQueryFailed, match=r"^Data source 'sales' is not configured\.$"):
        await queries.check("sales", "SELECT 1", ())


async def test_a_closed_port_is_unavailable_within_seconds() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql+asyncpg://postgres:hunter2@127.0.0.1:{port}/reports"
    queries = SqlAlchemyReportQueries({"demo": url}, timeout_seconds=1.0)
    started = time.monotonic()
    try:
        with pytest.raises(DataSourceUnavailable) as failure:
            await asyncio.wait_for(queries.check("demo", "SELECT 1", ()), timeout=10)
    finally:
        await queries.stop()
    assert time.monotonic() - started < 4
    assert failure.value.message == "The data source 'demo' is unavailable."
