"""One database transaction on a connection taken when its first statement runs."""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import Executable

Parameters = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None


class Transaction:
    """The statements of one unit of work, on one pooled connection (SQLAlchemy Core).

    The connection is taken from the pool by the first statement, not before, so
    a transaction that only writes waits for its turn to write before it holds a
    connection. ``close`` rolls back whatever was not committed.
    """

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
