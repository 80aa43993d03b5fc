"""The report configurations held in memory for the generate path, read again when they change."""

import asyncio
import math
import time
from collections.abc import Callable
from weakref import WeakKeyDictionary

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.engine import storage_errors
from adapters.sqlalchemy.report_rows import report_from_row
from adapters.sqlalchemy.tables import report_configuration, report_history
from domain.reports import ReportConfiguration

_reports, _history = report_configuration, report_history

#: Changes if any report was created, replaced or deleted: through the admin API (its
#: audit trail grows), or behind its back (the count or a version moves).
_MARKER = sa.select(
    sa.select(sa.func.max(_history.c.change_id)).scalar_subquery(),
    sa.select(sa.func.count()).select_from(_reports).scalar_subquery(),
    sa.select(sa.func.sum(_reports.c.version)).scalar_subquery(),
)


class SqlAlchemyReportCatalog:
    """The ``ReportCatalog`` port: every report configuration, in memory.

    At most every ``refresh_seconds`` one small query asks whether anything
    changed (the newest audit-trail entry, the number of reports and the sum of
    their versions); only then are the reports read again. ``changed()`` makes
    the next ``get`` read them at once. Concurrent requests share one read.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        refresh_seconds: float,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._refresh_seconds = refresh_seconds
        self._now = now
        self._reports: dict[str, ReportConfiguration] = {}
        self._marker: tuple[object, ...] | None = None
        self._checked_at = -math.inf
        self._wanted = 1  # bumped by changed(); the reports are current when loaded == wanted
        self._loaded = 0
        self._reading: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task[None]] = (
            WeakKeyDictionary()
        )

    async def get(self, report_id: str) -> ReportConfiguration | None:
        """The report as last saved, or ``None``."""
        while (
            self._loaded != self._wanted or self._now() - self._checked_at >= self._refresh_seconds
        ):
            await self._read_once()
        return self._reports.get(report_id)

    def _stale(self) -> bool:
        if self._loaded != self._wanted:
            return True
        return self._now() - self._checked_at >= self._refresh_seconds

    def changed(self) -> None:
        """Read the reports again before the next answer."""
        self._wanted += 1

    async def _read_once(self) -> None:
        loop = asyncio.get_running_loop()
        reading = self._reading.get(loop)
        if reading is None or reading.done():
            reading = self._reading[loop] = loop.create_task(self._read())
        await asyncio.shield(reading)

    async def _read(self) -> None:
        wanted, forced = self._wanted, self._loaded != self._wanted
        with storage_errors("reading the reports"):
            async with self._engine.connect() as connection:
                marker = tuple((await connection.execute(_MARKER)).one())
                if forced or marker != self._marker:
                    rows = (await connection.execute(sa.select(_reports))).mappings().all()
                    self._reports = {row["report_id"]: report_from_row(row) for row in rows}
                    self._marker = marker
        self._checked_at = self._now()
        self._loaded = wanted
