"""Report configurations in the ``ReportConfiguration`` table."""

from typing import Any

import sqlalchemy as sa

from adapters.sqlalchemy.engine import storage_errors
from adapters.sqlalchemy.report_rows import report_from_row, report_to_row
from adapters.sqlalchemy.tables import report_configuration, storable
from adapters.sqlalchemy.transaction import Transaction
from adapters.sqlalchemy.write_gate import BeforeWrite, no_gate
from domain.reports import ReportConfiguration

_table = report_configuration


class SqlAlchemyReportRepository:
    """The ``ReportRepository`` port in one transaction; the unit of work owns it."""

    def __init__(self, transaction: Transaction, before_write: BeforeWrite = no_gate) -> None:
        self._transaction = transaction
        self._before_write = before_write

    async def get(self, report_id: str) -> ReportConfiguration | None:
        """The report with that id, or ``None``."""
        if not storable(report_id):
            return None
        query = sa.select(_table).where(_table.c.report_id == report_id)
        with storage_errors("reading a report"):
            row = (await self._transaction.execute(query)).mappings().one_or_none()
        return None if row is None else report_from_row(row)

    async def all(self) -> list[ReportConfiguration]:
        """Every report configuration, by id."""
        query = sa.select(_table).order_by(_table.c.report_id)
        with storage_errors("reading the reports"):
            rows = (await self._transaction.execute(query)).mappings().all()
        return [report_from_row(row) for row in rows]

    async def add(self, report: ReportConfiguration) -> None:
        """Insert a new report configuration inside the open transaction.

        Unset times are left to the database's ``CURRENT_TIMESTAMP``.
        """
        values = report_to_row(report)
        await self._before_write()
        with storage_errors("saving a report"):
            await self._transaction.execute(sa.insert(_table).values(values))

    async def replace(self, report: ReportConfiguration, *, expected_version: int) -> bool:
        """Overwrite everything but the id and ``created_at`` if the stored report is
        still at ``expected_version``; returns whether it was. An unset
        ``updated_at`` becomes the database's ``CURRENT_TIMESTAMP``."""
        values: dict[str, Any] = report_to_row(report)
        del values["report_id"]
        values.pop("created_at", None)
        values.setdefault("updated_at", sa.func.current_timestamp())
        statement = (
            sa.update(_table)
            .where(_table.c.report_id == report.id, _table.c.version == expected_version)
            .values(values)
        )
        await self._before_write()
        with storage_errors("saving a report"):
            result = await self._transaction.execute(statement)
        return result.rowcount == 1

    async def remove(self, report_id: str, *, expected_version: int) -> bool:
        """Delete the report if it is still at ``expected_version``; returns whether it was."""
        statement = sa.delete(_table).where(
            _table.c.report_id == report_id, _table.c.version == expected_version
        )
        await self._before_write()
        with storage_errors("deleting a report"):
            result = await self._transaction.execute(statement)
        return result.rowcount == 1
