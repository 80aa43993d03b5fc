"""Integration tests: real databases and services (server fixtures in tests/support)."""

import secrets
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.data_sources import SqlAlchemyReportQueries
from adapters.sqlalchemy.demo_data import load_demo_sales
from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.migrate import upgrade_database
from tests.support.postgres import drop_login, read_only_login


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh database: a SQLite file, then a PostgreSQL database."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on ``database_url``, migrated to the newest schema."""
    await upgrade_database(database_url)
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sales_rows() -> int:
    """How many demo sales rows ``data_url`` holds; a test module may override it."""
    return 100


@pytest.fixture
async def data_url(database_url: str, sales_rows: int) -> str:
    """``database_url`` holding the demo ``sales`` table."""
    await load_demo_sales(database_url, rows=sales_rows)
    return database_url


@pytest.fixture
async def queries(data_url: str) -> AsyncIterator[SqlAlchemyReportQueries]:
    """Report queries on ``data_url``, as the data source ``demo`` (on PostgreSQL through
    a login that may only read, as the service wants)."""
    reader = f"reportgen_reader_{secrets.token_hex(6)}"
    on_postgres = data_url.startswith("postgresql")
    url = await read_only_login(data_url, reader) if on_postgres else data_url
    queries = SqlAlchemyReportQueries({"demo": url}, timeout_seconds=2.0)
    yield queries
    await queries.stop()
    if on_postgres:
        await drop_login(data_url, reader)
