"""Connections to data sources that cannot write, and statements bounded in time."""

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from adapters.sqlalchemy.query_parameters import typed_statement
from domain.parameters import ParameterSpec


def create_read_only_engine(url: str, timeout_seconds: float) -> AsyncEngine:
    """An engine on a data source: SQLite connections are ``query_only`` at every checkout;
    PostgreSQL ones are not pooled, so that nothing a query leaves on its session (an
    advisory lock, a ``set_config``) reaches the next one."""
    parsed = make_url(url)
    options: dict[str, Any] = {"pool_pre_ping": True, "pool_timeout": timeout_seconds}
    if parsed.get_backend_name() == "postgresql":
        options = {"poolclass": NullPool, "connect_args": {"timeout": timeout_seconds}}
    engine = create_async_engine(parsed, **options)
    if parsed.get_backend_name() == "sqlite":
        busy_ms = round(timeout_seconds * 1000)

        def on_checkout(dbapi_connection: Any, *_: Any) -> None:
            # At every checkout: a query that switched it off must not leave it off.
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms:d}")
            cursor.execute("PRAGMA query_only = ON")
            cursor.close()

        sa.event.listen(engine.sync_engine, "checkout", on_checkout)
    return engine


@asynccontextmanager
async def time_limit(connection: AsyncConnection, seconds: float) -> AsyncIterator[None]:
    """Bound the statements run inside; a statement still running then raises."""
    if connection.dialect.name != "sqlite":
        async with asyncio.timeout(seconds):
            yield
        return
    # Cancelling aiosqlite's call would wait for SQLite to finish; interrupting stops it.
    driver = (await connection.get_raw_connection()).driver_connection
    watchdog = asyncio.create_task(_interrupt_later(driver, seconds))
    try:
        yield
    finally:
        watchdog.cancel()


async def _interrupt_later(sqlite_connection: Any, seconds: float) -> None:
    await asyncio.sleep(seconds)
    await sqlite_connection.interrupt()


async def plan_writes(
    connection: AsyncConnection,
    statement: str,
    declared: Sequence[ParameterSpec],
    values: dict[str, object],
) -> bool:
    """Explain ``statement``; whether its plan writes to a table."""
    if connection.dialect.name == "sqlite":
        # SQLite's bytecode opens a write transaction (Transaction with P2 > 0) to write.
        rows = (
            await connection.execute(typed_statement(f"EXPLAIN {statement}", declared), values)
        ).all()
        return any(row[1] == "Transaction" and row[3] for row in rows)
    explain = typed_statement(f"EXPLAIN (FORMAT JSON) {statement}", declared)
    plan = await connection.scalar(explain, values)
    return '"ModifyTable"' in (plan if isinstance(plan, str) else json.dumps(plan))


async def begin_read_only(
    connection: AsyncConnection, *, statement_timeout: float | None = None
) -> None:
    """Make the transaction read-only where the database has such transactions (PostgreSQL),
    its statements bounded by ``statement_timeout`` seconds (for this transaction only)."""
    if connection.dialect.name == "postgresql":
        await connection.execute(sa.text("SET TRANSACTION READ ONLY"))
        if statement_timeout is not None:
            milliseconds = max(1, round(statement_timeout * 1000))
            await connection.execute(sa.text(f"SET LOCAL statement_timeout = {milliseconds:d}"))
