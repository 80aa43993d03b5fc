"""The ``UnitOfWork`` port on SQLAlchemy Core: one transaction per ``async with``."""

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.admission_ledger import SqlAlchemyAdmissionLedger
from adapters.sqlalchemy.callback_repository import SqlAlchemyCallbackRepository
from adapters.sqlalchemy.engine import storage_errors
from adapters.sqlalchemy.job_repository import SqlAlchemyJobRepository
from adapters.sqlalchemy.report_history import SqlAlchemyReportHistory
from adapters.sqlalchemy.report_repository import SqlAlchemyReportRepository
from adapters.sqlalchemy.transaction import Transaction, begin_transaction
from adapters.sqlalchemy.write_gate import WriteGate, write_gate
from application.common.errors import StorageUnavailable
from application.jobs.change_ports import JobChange, JobChangeAnnouncer


class SqlAlchemyUnitOfWork:
    """One transaction per ``async with``, rolled back unless committed.

    The repositories share the transaction and never commit. Database and driver
    errors leave as ``StorageUnavailable``. One instance may be entered again
    once the previous block has ended, each time with a new transaction. Once a
    commit made job changes durable, they are announced (``announcer``) to the
    callers waiting on those jobs. On SQLite
    the first write of a block waits for the process's write gate (``gate``, or
    the engine's own), held until the block ends.
    """

    reports: SqlAlchemyReportRepository
    jobs: SqlAlchemyJobRepository
    history: SqlAlchemyReportHistory
    admission: SqlAlchemyAdmissionLedger
    callbacks: SqlAlchemyCallbackRepository

    def __init__(
        self,
        engine: AsyncEngine,
        gate: WriteGate | None = None,
        announcer: JobChangeAnnouncer | None = None,
    ) -> None:
        self._engine = engine
        self._announcer = announcer
        self._committed_changes: list[JobChange] = []
        self._transaction: Transaction | None = None
        self._gate = gate or write_gate(engine)
        self._writing = False

    async def __aenter__(self) -> Self:
        """Begin; the connection is taken by the first statement."""
        if self._transaction is not None:
            raise RuntimeError("This unit of work is already in use.")
        self._transaction = transaction = begin_transaction(self._engine)
        self.reports = SqlAlchemyReportRepository(transaction, self._before_write)
        self.jobs = SqlAlchemyJobRepository(transaction, self._before_write)
        self.history = SqlAlchemyReportHistory(transaction, self._before_write)
        self.admission = SqlAlchemyAdmissionLedger(transaction, self._before_write)
        self.callbacks = SqlAlchemyCallbackRepository(transaction, self._before_write)
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
        transaction, self._transaction = self._require_transaction(), None
        try:
            with storage_errors("ending a transaction"):
                # Closing rolls back whatever was not committed and returns the connection.
                await transaction.close()
        except StorageUnavailable:
            if exc is None:
                raise
            # The error already leaving the block says more than a failed rollback.
        finally:
            self._end_write()
            await self._announce()

    async def _announce(self) -> None:
        # After the write gate is given back: the announcer may wait on the network.
        changes, self._committed_changes = self._committed_changes, []
        if changes and self._announcer is not None:
            await self._announcer.announce(changes)

    def _end_write(self) -> None:
        if self._writing:
            self._writing = False
            self._gate.release()

    async def commit(self) -> None:
        """Make the work so far durable and visible to other transactions."""
        with storage_errors("committing"):
            await self._require_transaction().commit()
        self._committed_changes.extend(self.jobs.changes)
        self.jobs.changes = []

    def _require_transaction(self) -> Transaction:
        if self._transaction is None:
            raise RuntimeError("Use the unit of work inside 'async with'.")
        return self._transaction
