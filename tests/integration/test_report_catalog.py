"""The in-memory report catalog on a real SQLite file and PostgreSQL: one query a second at
most, a change made here seen at once, one made by another process within the interval."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.report_catalog import SqlAlchemyReportCatalog
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from application.common.errors import StorageUnavailable
from domain.report_changes import ReportChange
from tests.builders import report

REFRESH = 1.0


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Statements:
    """Counts the statements an engine runs."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        sa.event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: object) -> None:
        self.count += 1


async def save(engine: AsyncEngine, *changes: ReportChange, audited: bool = True) -> None:
    """Save reports as another process would: the row, and (through the API) its trail."""
    async with SqlAlchemyUnitOfWork(engine) as uow:
        for change in changes:
            assert change.report is not None
            if change.version == 1:
                await uow.reports.add(change.report)
            else:
                await uow.reports.replace(change.report, expected_version=change.version - 1)
            if audited:
                await uow.history.record(change)
        await uow.commit()


NOW = datetime(2026, 1, 1, tzinfo=UTC)


def created(report_id: str) -> ReportChange:
    return ReportChange.created(report(report_id), "root", NOW)


async def test_reports_are_served_from_memory_between_checks(engine: AsyncEngine) -> None:
    await save(engine, created("report-123"))
    clock, statements = Monotonic(), Statements(engine)
    catalog = SqlAlchemyReportCatalog(engine, refresh_seconds=REFRESH, now=clock)

    first = await catalog.get("report-123")
    read_at_first = statements.count
    for _ in range(100):
        assert await catalog.get("report-123") == first
        assert await catalog.get("nope") is None

    assert first is not None
    assert first.id == "report-123"
    assert read_at_first == 2  # the change marker, then the reports
    assert statements.count == read_at_first


async def test_another_processs_change_is_seen_within_the_refresh_interval(
    engine: AsyncEngine,
) -> None:
    await save(engine, created("report-123"))
    clock = Monotonic()
    catalog = SqlAlchemyReportCatalog(engine, refresh_seconds=REFRESH, now=clock)
    assert await catalog.get("report-456") is None

    await save(engine, created("report-456"))
    clock.now += REFRESH * 0.9
    assert await catalog.get("report-456") is None  # not checked again yet
    clock.now += REFRESH * 0.2
    assert await catalog.get("report-456") is not None


async def test_a_change_made_here_is_seen_at_once(engine: AsyncEngine) -> None:
    await save(engine, created("report-123"))
    catalog = SqlAlchemyReportCatalog(engine, refresh_seconds=3600, now=Monotonic())
    before = await catalog.get("report-123")
    assert before is not None

    changed = replace(before, name="Renamed", version=2)
    await save(engine, ReportChange.updated(changed, "root", NOW))
    catalog.changed()

    after = await catalog.get("report-123")
    assert after is not None
    assert after.name == "Renamed"


async def test_a_report_saved_without_an_audit_entry_is_seen_too(engine: AsyncEngine) -> None:
    clock = Monotonic()
    catalog = SqlAlchemyReportCatalog(engine, refresh_seconds=REFRESH, now=clock)
    assert await catalog.get("report-123") is None

    await save(engine, created("report-123"), audited=False)
    clock.now += REFRESH

    assert await catalog.get("report-123") is not None


async def test_a_database_that_does_not_answer_is_storage_unavailable() -> None:
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/reportgen")
    catalog = SqlAlchemyReportCatalog(engine, refresh_seconds=REFRESH)
    try:
        with pytest.raises(StorageUnavailable):
            await catalog.get("report-123")
    finally:
        await engine.dispose()
