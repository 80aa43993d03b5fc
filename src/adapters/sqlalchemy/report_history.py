"""The audit trail of report configurations in the ``ReportHistory`` table."""

import sqlalchemy as sa

from adapters.sqlalchemy.engine import storage_errors
from adapters.sqlalchemy.report_rows import report_from_document, report_to_document
from adapters.sqlalchemy.tables import report_history, storable
from adapters.sqlalchemy.transaction import Transaction
from adapters.sqlalchemy.write_gate import BeforeWrite, no_gate
from domain.report_changes import ChangeAction, ReportChange


class SqlAlchemyReportHistory:
    """The ``ReportHistory`` port in one transaction; the unit of work owns it.

    Each change keeps the configuration as saved in a JSON ``document`` column,
    so the trail outlives the report itself.
    """

    def __init__(self, transaction: Transaction, before_write: BeforeWrite = no_gate) -> None:
        self._transaction = transaction
        self._before_write = before_write

    async def record(self, change: ReportChange) -> None:
        """Append ``change`` inside the open transaction."""
        values = {
            "report_id": change.report_id,
            "action": change.action.value,
            "actor": change.actor,
            "at": change.at,
            "version": change.version,
            "document": None if change.report is None else report_to_document(change.report),
        }
        await self._before_write()
        with storage_errors("recording a report change"):
            await self._transaction.execute(sa.insert(report_history).values(values))

    async def of(self, report_id: str) -> list[ReportChange]:
        """The changes of one report, oldest first."""
        if not storable(report_id):
            return []
        query = (
            sa.select(report_history)
            .where(report_history.c.report_id == report_id)
            .order_by(report_history.c.change_id)
        )
        with storage_errors("reading a report's history"):
            rows = (await self._transaction.execute(query)).mappings().all()
        return [
            ReportChange(
                report_id=row["report_id"],
                action=ChangeAction(row["action"]),
                actor=row["actor"],
                at=row["at"],
                version=row["version"],
                report=None if row["document"] is None else report_from_document(row["document"]),
            )
            for row in rows
        ]
