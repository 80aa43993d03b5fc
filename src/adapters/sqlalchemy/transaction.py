"""One database transaction on a connection taken when its first statement runs.

Two kinds, one interface (``Transaction``): on PostgreSQL (and SQLite in memory)
the statements go through SQLAlchemy's asyncio layer; on a SQLite file they run
on the synchronous ``sqlite3`` driver in a worker thread, each step of the
transaction in a single thread hop (``ThreadedTransaction``).
"""

import asyncio
import concurrent.futures
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from sqlalchemy.engine import Connection, CursorResult, MappingResult, Result, ScalarResult
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import Executable

from adapters.sqlalchemy.sqlite_threads import SqliteThreads, sqlite_threads

Parameters = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None
_T = TypeVar("_T")


class StatementResult(Protocol):
    """What a statement gave: its rows (as mappings) and how many rows it changed."""

    @property
    def rowcount(self) -> int:
        """Rows inserted, updated or deleted."""
        ...

    def mappings(self) -> MappingResult:
        """The rows it returned, each a mapping of column name to value."""
        ...

    def scalars(self) -> ScalarResult[Any]:
        """The first column of the rows it returned."""
        ...

    def scalar(self) -> Any:
        """The first column of the first row it returned, or ``None`` without rows."""
        ...


class Transaction(Protocol):
    """The statements of one unit of work, on one pooled connection (SQLAlchemy Core).

    The connection is taken from the pool by the first statement, not before, so
    a transaction that only writes waits for its turn to write before it holds a
    connection. ``close`` rolls back whatever was not committed.
    """

    @property
    def dialect(self) -> str:
        """The database's kind: ``sqlite`` or ``postgresql``."""
        ...

    async def execute(
        self, statement: Executable, parameters: Parameters = None
    ) -> StatementResult:
        """Run ``statement`` (with many rows of ``parameters``: one executemany)."""
        ...

    async def commit(self) -> None:
        """Commit, if anything ran."""
        ...

    async def close(self) -> None:
        """Give the connection back; what was not committed is rolled back."""
        ...


def begin_transaction(engine: AsyncEngine) -> Transaction:
    """A new transaction on ``engine``: threaded on a SQLite file, else on the asyncio layer."""
    threads = sqlite_threads(engine)
    return AsyncTransaction(engine) if threads is None else ThreadedTransaction(threads)


class AsyncTransaction:
    """A ``Transaction`` through SQLAlchemy's asyncio layer (asyncpg, aiosqlite)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None

    @property
    def dialect(self) -> str:
        """The database's kind: ``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    async def execute(
        self, statement: Executable, parameters: Parameters = None
    ) -> CursorResult[Any]:
        """Run ``statement`` (with many rows of ``parameters``: one executemany)."""
        if self._connection is None:
            connection = await self._engine.connect()
            try:
                await connection.begin()
            except BaseException:
                await connection.close()
                raise
            self._connection = connection
        return await self._connection.execute(statement, parameters)

    async def commit(self) -> None:
        """Commit, if anything ran."""
        if self._connection is not None:
            await self._connection.commit()

    async def close(self) -> None:
        """Give the connection back; what was not committed is rolled back."""
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()


class BufferedResult:
    """A statement's result read whole on the driver's thread, so nothing is read later."""

    def __init__(self, result: CursorResult[Any]) -> None:
        self.rowcount = result.rowcount
        self._rows: Result[Any] | None = result.freeze()() if result.returns_rows else None

    def mappings(self) -> MappingResult:
        """The rows it returned, each a mapping of column name to value."""
        return self._returned().mappings()

    def scalars(self) -> ScalarResult[Any]:
        """The first column of the rows it returned."""
        return self._returned().scalars()

    def scalar(self) -> Any:
        """The first column of the first row it returned, or ``None`` without rows."""
        return self._returned().scalar()

    def _returned(self) -> Result[Any]:
        if self._rows is None:
            raise RuntimeError("This statement returns no rows.")
        return self._rows


class ThreadedTransaction:
    """A ``Transaction`` on a SQLite file through the synchronous driver, a hop per step.

    The first statement takes a connection, begins and runs in one call on a
    worker thread; each further statement is one call; ``commit`` commits and
    gives the connection back in one call. aiosqlite would take three hops per
    statement (cursor, execute, close) and one more to commit. A step still
    running when its caller left (cancelled) is waited for before the next one
    uses the connection.
    """

    def __init__(self, threads: SqliteThreads) -> None:
        self._threads = threads
        self._connection: Connection | None = None
        self._pending: concurrent.futures.Future[Any] | None = None

    @property
    def dialect(self) -> str:
        """The database's kind: ``sqlite``."""
        return self._threads.engine.dialect.name

    async def execute(self, statement: Executable, parameters: Parameters = None) -> BufferedResult:
        """Run ``statement`` (with many rows of ``parameters``: one executemany)."""
        return await self._step(self._execute, statement, parameters)

    async def commit(self) -> None:
        """Commit, if anything ran, and give the connection back."""
        if self._connection is not None:
            await self._step(self._commit)

    async def close(self) -> None:
        """Give the connection back; what was not committed is rolled back."""
        if self._connection is not None:
            await self._step(self._close)

    async def _step(self, function: Callable[..., _T], *args: Any) -> _T:
        pending = self._pending
        if pending is not None and not pending.done():
            await asyncio.wait([asyncio.wrap_future(pending)])
        self._pending = future = self._threads.submit(function, *args)
        return await asyncio.wrap_future(future)

    def _execute(self, statement: Executable, parameters: Parameters) -> BufferedResult:
        if self._connection is None:
            connection = self._threads.engine.connect()
            try:
                connection.begin()
            except BaseException:
                connection.close()
                raise
            self._connection = connection
        return BufferedResult(self._connection.execute(statement, parameters))

    def _commit(self) -> None:
        connection = self._connection
        if connection is not None:
            connection.commit()
            self._connection = None
            connection.close()

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()
