"""The async engine for SQLite (aiosqlite) or PostgreSQL (asyncpg), and its failure border."""

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from adapters.private_paths import create_private_file, make_private_directory
from adapters.sqlalchemy.sqlite_threads import dispose_threads, pair_with_threads
from application.common.errors import StorageUnavailable

# Every failure a database round trip can raise below the application: the
# driver's own errors arrive wrapped in SQLAlchemyError, a refused or timed-out
# connection as OSError (ConnectionError and TimeoutError are both OSErrors).
_STORAGE_ERRORS = (SQLAlchemyError, OSError, TimeoutError)


@contextmanager
def storage_errors(action: str) -> Iterator[None]:
    """Turn database and driver errors raised inside into ``StorageUnavailable``.

    ``action`` says what was attempted; the message never holds a URL or SQL.
    """
    try:
        yield
    except _STORAGE_ERRORS as exc:
        raise StorageUnavailable(f"The database is unavailable ({action}).") from exc


def create_engine(
    url: str, *, timeout_seconds: float = 2.0, command_timeout_seconds: float = 60.0
) -> AsyncEngine:
    """An async engine that fails within about ``timeout_seconds`` when the database is down.

    PostgreSQL connections are checked before use, so the engine recovers by
    itself once the database is back; ``command_timeout_seconds`` bounds one
    statement there.

    SQLite is a local file: its connections need no check, and its pool never
    makes a request wait (``max_overflow=-1``). Writers queue on the write gate
    before they take a connection, so a transaction that read first and now
    waits for its turn to write can never keep the writer whose turn it is from
    a connection. Commits are durable (``synchronous=FULL``): a job answered 202
    survives a power failure. A file engine gets a synchronous twin on the same
    file (``sqlite_threads``) on which units of work run, a thread hop a step.

    A connection going back to the pool is not rolled back again: closing a
    connection already rolls back any transaction it left open, and a rollback
    after a commit would cost one more round trip (a thread hop on SQLite) for
    every unit of work.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        options: dict[str, Any] = {"pool_reset_on_return": None}
        if _is_sqlite_file(parsed):
            _make_private_file(parsed)
            options["max_overflow"] = -1
        engine = create_async_engine(parsed, **options)
        on_connect = _sqlite_pragmas(busy_timeout_ms=round(timeout_seconds * 1000))
        sa.event.listen(engine.sync_engine, "connect", on_connect)
        if _is_sqlite_file(parsed):
            pair_with_threads(engine, on_connect)
        return engine
    options = {"pool_pre_ping": True, "pool_reset_on_return": None}
    if parsed.get_backend_name() == "postgresql":
        options["pool_timeout"] = timeout_seconds
        options["connect_args"] = {
            "timeout": timeout_seconds,
            "command_timeout": command_timeout_seconds,
        }
    return create_async_engine(parsed, **options)


class SqlAlchemyDatabase:
    """The service's database as a whole: whether it answers, and closing its pool."""

    def __init__(self, engine: AsyncEngine, *, timeout_seconds: float) -> None:
        self._engine = engine
        self._timeout_seconds = timeout_seconds

    async def ping(self) -> None:
        """Run ``SELECT 1``; raise ``StorageUnavailable`` unless it answers in time."""
        with storage_errors("checking the connection"):
            async with (
                asyncio.timeout(self._timeout_seconds),
                self._engine.connect() as connection,
            ):
                await connection.execute(sa.text("SELECT 1"))

    async def start(self) -> None:
        """Nothing to do: connections are opened on first use."""

    async def stop(self) -> None:
        """Close every pooled connection."""
        await self._engine.dispose()
        dispose_threads(self._engine)


def _is_sqlite_file(url: URL) -> bool:
    database = url.database or ""
    return database not in ("", ":memory:") and url.query.get("uri") != "true"


def _make_private_file(url: URL) -> None:
    # If this fails the file cannot be opened either: the first use raises StorageUnavailable.
    path = Path(url.database or "")
    with suppress(OSError):
        make_private_directory(path.parent)
        create_private_file(path)


def _sqlite_pragmas(*, busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms:d}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=FULL")
        finally:
            cursor.close()

    return on_connect
