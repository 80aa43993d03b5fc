"""Which PostgreSQL data-source logins the service refuses (a superuser, the server's file
and program roles), warns about (one that may write) or takes as they are (read only)."""

import logging
import secrets
from collections.abc import AsyncIterator

import asyncpg
import pytest

from adapters.sqlalchemy.data_sources import SqlAlchemyReportQueries
from adapters.sqlalchemy.demo_data import load_demo_sales
from application.common.errors import UnsafeDataSource
from tests.support.postgres import POSTGRES_ADDRESS, drop_login, read_only_login

pytestmark = pytest.mark.postgres

QUERY = "SELECT id FROM sales"


@pytest.fixture
async def data_url(postgres_url: str) -> str:
    await load_demo_sales(postgres_url, rows=10)
    return postgres_url


@pytest.fixture
async def reader(data_url: str) -> AsyncIterator[tuple[str, str]]:
    """A read-only login on the database: its name and its URL."""
    name = f"reportgen_reader_{secrets.token_hex(6)}"
    url = await read_only_login(data_url, name)
    yield name, url
    await drop_login(data_url, name)


async def as_admin(data_url: str, statement: str) -> None:
    database = data_url.rsplit("/", 1)[1]
    connection = await asyncpg.connect(f"postgresql://{POSTGRES_ADDRESS}/{database}", timeout=3)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def checked(url: str) -> None:
    queries = SqlAlchemyReportQueries({"sales": url})
    try:
        await queries.check("sales", QUERY, ())
    finally:
        await queries.stop()


async def test_a_read_only_login_is_taken_without_a_warning(
    reader: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    await checked(reader[1])
    assert "may write" not in caplog.text


async def test_a_superuser_login_is_refused(data_url: str) -> None:
    with pytest.raises(UnsafeDataSource) as refusal:
        await checked(data_url)  # the postgres login
    assert refusal.value.message == (
        "The data source 'sales' logs in as a superuser; give it a role that may only read."
    )


@pytest.mark.parametrize(
    "role", ["pg_read_server_files", "pg_write_server_files", "pg_execute_server_program"]
)
async def test_a_login_holding_a_server_file_role_is_refused(
    data_url: str, reader: tuple[str, str], role: str
) -> None:
    await as_admin(data_url, f'GRANT {role} TO "{reader[0]}"')
    with pytest.raises(UnsafeDataSource, match=f"holds {role}"):
        await checked(reader[1])
    await as_admin(data_url, f'REVOKE {role} FROM "{reader[0]}"')


async def test_a_login_that_may_write_is_taken_with_a_warning(
    data_url: str, reader: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    await as_admin(data_url, f'GRANT INSERT ON sales TO "{reader[0]}"')
    with caplog.at_level(logging.WARNING):
        await checked(reader[1])
    assert "The data source 'sales' logs in with a role that may write" in caplog.text


async def test_at_start_an_unsafe_login_is_logged_as_an_error(
    data_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    queries = SqlAlchemyReportQueries({"sales": data_url})
    with caplog.at_level(logging.ERROR):
        await queries.start()
        for audit in queries._audits:
            await audit
        await queries.stop()
    assert "logs in as a superuser" in caplog.text
    assert "Reports on it are refused when saved." in caplog.text
