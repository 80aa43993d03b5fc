"""The ``UnitOfWork`` port on an SQLAlchemy async session: one transaction per ``async with``."""

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters.sqlalchemy.engine import storage_errors
from adapters.sqlalchemy.job_repository import SqlAlchemyJobRepository
from adapters.sqlalchemy.report_history import SqlAlchemyReportHistory
from adapters.sqlalchemy.report_repository import SqlAlchemyReportRepository
from adapters.sqlalchemy.write_gate import WriteGate, write_gate
from application.common.errors import StorageUnavailable


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for ``SqlAlchemyUnitOfWork`` on ``engine``."""
    return async_sessionmaker(engine, expire_on_commit=False)


class SqlAlchemyUnitOfWork:
    """One session and transaction per ``async with``, rolled back unless committed.

    The repositories share the session and never commit. Database and driver
    errors leave as ``StorageUnavailable``. One instance may be entered again
    once the previous block has ended, each time with a new session. On SQLite
    the first write of a block waits for the process's write gate (``gate``, or
    the engine's own), held until the block ends.
    """

    reports: SqlAlchemyReportRepository
    jobs: SqlAlchemyJobRepository
    history: SqlAlchemyReportHistory

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], gate: WriteGate | None = None
    ) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None
        self._gate = gate or write_gate(session_factory.kw["bind"])
        self._writing = False

    async def __aenter__(self) -> Self:
        """Open a session; its transaction begins with the first statement."""
        if self._session is not None:
            raise RuntimeError("This unit of work is already in use.")
        self._session = self._session_factory()
        self.reports = SqlAlchemyReportRepository(self._session, self._before_write)
        self.jobs = SqlAlchemyJobRepository(self._session, self._before_write)
        self.history = SqlAlchemyReportHistory(self._session, self._before_write)
        return self

    async def _before_write(self) -> None:
        if not self._writing:
            await self._gate.acquire()
            self._writing = True

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed and give the connection back."""
        session, self._session = self._require_session(), None
        try:
            with storage_errors("ending a transaction"):
                # Closing rolls back whatever was not committed and returns the connection.
                await session.close()
        except StorageUnavailable:
            if exc is None:
                raise
            # The error already leaving the block says more than a failed rollback.
        finally:
            self._end_write()

    def _end_write(self) -> None:
        if self._writing:
            self._writing = False
            self._gate.release()

    async def commit(self) -> None:
        """Make the work so far durable and visible to other sessions."""
        with storage_errors("committing"):
            await self._require_session().commit()

    def _require_session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("Use the unit of work inside 'async with'.")
        return self._session
