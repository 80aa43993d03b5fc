"""Pytest plugin: a throwaway PostgreSQL database per test, and a SQLite file URL.

PostgreSQL is expected on 127.0.0.1:5432 (user ``postgres``, trust auth). When
it is not reachable the tests that need it are skipped, except under
``CI=true``, where they fail.
"""

import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio

POSTGRES_ADDRESS = "postgres@127.0.0.1:5432"
_ADMIN_DSN = f"postgresql://{POSTGRES_ADDRESS}/postgres"


async def _admin_connection() -> asyncpg.Connection:
    try:
        return await asyncpg.connect(_ADMIN_DSN, timeout=3)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        reason = f"PostgreSQL is not reachable at 127.0.0.1:5432 ({type(exc).__name__}: {exc})"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest_asyncio.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A URL to a new, empty database ``reportgen_test_<hex>``, dropped afterwards."""
    name = f"reportgen_test_{secrets.token_hex(6)}"
    admin = await _admin_connection()
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield f"postgresql+asyncpg://{POSTGRES_ADDRESS}/{name}"
    finally:
        admin = await _admin_connection()
        try:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        finally:
            await admin.close()


async def read_only_login(url: str, name: str) -> str:
    """A login ``name`` on ``url``'s database that may only read its tables (those it has
    and those created later), as the README tells operators; the URL through it."""
    database = url.rsplit("/", 1)[1]
    connection = await asyncpg.connect(f"postgresql://{POSTGRES_ADDRESS}/{database}", timeout=3)
    try:
        await connection.execute(f'CREATE ROLE "{name}" LOGIN')
        await connection.execute(f'GRANT USAGE ON SCHEMA public TO "{name}"')
        await connection.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{name}"')
        await connection.execute(
            f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO "{name}"'
        )
    finally:
        await connection.close()
    return f"postgresql+asyncpg://{name}@127.0.0.1:5432/{database}"


async def drop_login(url: str, name: str) -> None:
    """Drop the login ``read_only_login`` made, and what it was granted in the database."""
    database = url.rsplit("/", 1)[1]
    connection = await asyncpg.connect(f"postgresql://{POSTGRES_ADDRESS}/{database}", timeout=3)
    try:
        await connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", name
        )
        await connection.execute(f'DROP OWNED BY "{name}"')
        await connection.execute(f'DROP ROLE "{name}"')
    finally:
        await connection.close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A URL to a SQLite file, not yet created, in the test's own directory."""
    return f"sqlite+aiosqlite:///{tmp_path / 'reportgen.sqlite3'}"
