"""Report replacement, removal and the audit trail on a real SQLite file and PostgreSQL.

Writes are conditional on the version; the trail keeps each saved configuration,
reads back oldest first, and outlives the report.
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.migrate import current_revision
from adapters.sqlalchemy.tables import report_history
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from domain.parameters import ParameterSpec, ParameterType
from domain.report_changes import ChangeAction, ReportChange
from domain.reports import (
    DeliveryChannel,
    DeliveryMode,
    DeliveryTarget,
    OutputFormat,
    ReportConfiguration,
)

CREATED = datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
CEST = timezone(timedelta(hours=2))


@pytest.fixture
def uow(engine: AsyncEngine) -> SqlAlchemyUnitOfWork:
    return SqlAlchemyUnitOfWork(engine)


def a_report(version: int = 1) -> ReportConfiguration:
    return ReportConfiguration(
        id="report-123",
        name="Sales",
        description="Sales by region",
        data_source="demo",
        query="SELECT * FROM sales WHERE region = :region",
        formats=(OutputFormat.XLSX, OutputFormat.CSV),
        delivery_targets=(
            DeliveryTarget(DeliveryChannel.API_RESPONSE, DeliveryMode.ASYNC),
            DeliveryTarget(DeliveryChannel.EMAIL, recipients=("a@example.com",)),
        ),
        parameters=(
            ParameterSpec("start_date", ParameterType.DATE, required=True),
            ParameterSpec("region", ParameterType.ENUM, allowed_values=("North", "South")),
        ),
        allowed_roles=frozenset({"analyst", "auditor"}),
        version=version,
        created_at=CREATED,
        updated_at=CREATED,
    )


def edited(report: ReportConfiguration) -> ReportConfiguration:
    return replace(
        report,
        name="Sales (edited)",
        query="SELECT id FROM sales",
        formats=(OutputFormat.JSON,),
        parameters=(),
        allowed_roles=frozenset({"admin"}),
        version=report.version + 1,
        created_at=datetime(2030, 1, 1, tzinfo=UTC),  # ignored: the stored one is kept
        updated_at=datetime(2025, 2, 3, 12, 0, tzinfo=CEST),
    )


async def stored(uow: SqlAlchemyUnitOfWork, report: ReportConfiguration) -> None:
    async with uow:
        await uow.reports.add(report)
        await uow.commit()


async def load(uow: SqlAlchemyUnitOfWork, report_id: str = "report-123") -> ReportConfiguration:
    async with uow:
        report = await uow.reports.get(report_id)
    assert report is not None
    return report


async def test_the_migrations_create_the_audit_trail(
    engine: AsyncEngine, database_url: str
) -> None:
    assert await current_revision(database_url) == "0009"
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names())
    assert "ReportHistory" in tables


async def test_replace_at_the_stored_version_overwrites_all_but_created_at(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    await stored(uow, a_report(version=1))
    async with uow:
        assert await uow.reports.replace(edited(a_report(1)), expected_version=1)
        await uow.commit()
    expected = replace(edited(a_report(1)), created_at=CREATED)
    assert await load(uow) == replace(expected, updated_at=datetime(2025, 2, 3, 10, tzinfo=UTC))


async def test_replace_at_a_stale_version_returns_false_and_changes_nothing(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    await stored(uow, a_report(version=2))
    async with uow:
        assert not await uow.reports.replace(edited(a_report(2)), expected_version=1)
        assert not await uow.reports.replace(replace(a_report(2), id="nobody"), expected_version=2)
        await uow.commit()
    assert await load(uow) == a_report(version=2)


async def test_remove_deletes_only_at_the_stored_version(uow: SqlAlchemyUnitOfWork) -> None:
    await stored(uow, a_report(version=2))
    async with uow:
        assert not await uow.reports.remove("report-123", expected_version=1)
        assert not await uow.reports.remove("nobody", expected_version=2)
        await uow.commit()
    assert await load(uow) == a_report(version=2)
    async with uow:
        assert await uow.reports.remove("report-123", expected_version=2)
        await uow.commit()
    async with uow:
        assert await uow.reports.get("report-123") is None


async def test_the_history_reads_back_oldest_first_and_outlives_the_report(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    first, second = a_report(1), edited(a_report(1))
    changes = [
        ReportChange("report-123", ChangeAction.CREATED, "alice", CREATED, 1, first),
        ReportChange(
            "report-123",
            ChangeAction.UPDATED,
            "bob",
            datetime(2025, 2, 3, 14, tzinfo=CEST),
            2,
            second,
        ),
        ReportChange(
            "report-123", ChangeAction.DELETED, "alice", datetime(2025, 2, 4, tzinfo=UTC), 2, None
        ),
    ]
    await stored(uow, first)
    async with uow:
        for change in changes:
            await uow.history.record(change)
        await uow.history.record(
            ReportChange("report-9", ChangeAction.CREATED, "carol", CREATED, 1, None)
        )
        assert await uow.reports.remove("report-123", expected_version=1)
        await uow.commit()
    async with uow:
        trail = await uow.history.of("report-123")
        assert await uow.history.of("report-404") == []
    assert trail == changes
    assert [change.at.tzinfo for change in trail] == [UTC] * 3
    assert trail[1].report is not None
    assert trail[1].report.updated_at == datetime(2025, 2, 3, 10, tzinfo=UTC)
    assert trail[1].report.updated_at.tzinfo is UTC


async def test_the_history_keeps_a_report_saved_without_times(uow: SqlAlchemyUnitOfWork) -> None:
    report = replace(a_report(), created_at=None, updated_at=None)
    async with uow:
        await uow.history.record(
            ReportChange("report-123", ChangeAction.CREATED, "alice", CREATED, 1, report)
        )
        await uow.commit()
    async with uow:
        assert [change.report for change in await uow.history.of("report-123")] == [report]


async def test_a_deleted_change_stores_no_document(
    uow: SqlAlchemyUnitOfWork, engine: AsyncEngine
) -> None:
    async with uow:
        await uow.history.record(
            ReportChange("report-123", ChangeAction.DELETED, "alice", CREATED, 3, None)
        )
        await uow.commit()
    async with engine.connect() as connection:
        document = await connection.scalar(
            sa.select(sa.func.count()).where(report_history.c.document.is_(None))
        )
    assert document == 1


async def test_the_database_refuses_an_unknown_action(engine: AsyncEngine) -> None:
    row = {
        "report_id": "report-123",
        "action": "renamed",
        "actor": "alice",
        "at": CREATED,
        "version": 1,
    }
    with pytest.raises(sa.exc.IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(sa.insert(report_history).values(row))
