"""The SQLAlchemy adapters against a real SQLite file and a real PostgreSQL database."""

import asyncio
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import asyncpg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.demo_data import load_demo_sales
from adapters.sqlalchemy.engine import SqlAlchemyDatabase, create_engine
from adapters.sqlalchemy.migrate import alembic_config, current_revision, upgrade_database
from adapters.sqlalchemy.tables import job_execution_log, metadata
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from application.common.errors import StorageUnavailable
from domain.errors import ReportNotFound
from domain.job_status import JobStatus
from domain.jobs import Job, new_job_id
from domain.parameters import ParameterSpec, ParameterType
from domain.reports import (
    DeliveryChannel,
    DeliveryMode,
    DeliveryTarget,
    OutputFormat,
    ReportConfiguration,
)

CEST = timezone(timedelta(hours=2))


@pytest.fixture
def uow(engine: AsyncEngine) -> SqlAlchemyUnitOfWork:
    return SqlAlchemyUnitOfWork(engine)


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def a_report() -> ReportConfiguration:
    return ReportConfiguration(
        id="report-123",
        name="Sales",
        description="Sales by region",
        data_source="demo",
        query="SELECT * FROM sales WHERE region = :region",
        formats=(OutputFormat.XLSX, OutputFormat.CSV),
        delivery_targets=(
            DeliveryTarget(DeliveryChannel.API_RESPONSE, DeliveryMode.ASYNC),
            DeliveryTarget(DeliveryChannel.EMAIL, recipients=("a@example.com", "b@example.com")),
        ),
        parameters=(
            ParameterSpec("start_date", ParameterType.DATE, required=True),
            ParameterSpec("limit", ParameterType.INTEGER, default=10, description="Rows"),
            ParameterSpec("region", ParameterType.ENUM, allowed_values=("North", "South")),
        ),
        allowed_roles=frozenset({"analyst", "auditor"}),
        version=3,
        created_at=datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
    )


def a_job() -> Job:
    return Job(
        id=new_job_id(),
        report_id="report-123",
        requested_by="alice",
        parameters={"region": "North", "limit": 5, "ratio": 0.5, "flag": True},
        format=OutputFormat.XLSX,
        created_at=datetime(2025, 3, 4, 12, 30, 15, 123456, tzinfo=CEST),
    )


async def test_migrations_reach_head_and_running_them_again_changes_nothing(
    database_url: str,
) -> None:
    assert await current_revision(database_url) is None
    await upgrade_database(database_url)
    await upgrade_database(database_url)
    assert await current_revision(database_url) == head_revision(database_url)


async def test_migrated_schema_matches_the_table_definitions(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
        )
    assert differences == []


async def test_sqlite_runs_in_wal_mode_with_busy_timeout_and_foreign_keys(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url, timeout_seconds=1.5)
    async with engine.connect() as connection:
        pragmas = {
            name: await connection.scalar(sa.text(f"PRAGMA {name}"))
            for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")
        }
    await engine.dispose()
    assert pragmas == {
        "journal_mode": "wal",
        "busy_timeout": 1500,
        "foreign_keys": 1,
        "synchronous": 2,  # FULL: a commit is on disk before it returns
    }


async def test_sqlite_engine_creates_the_missing_data_directory(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'var' / 'data' / 'db.sqlite3'}")
    await SqlAlchemyDatabase(engine, timeout_seconds=2.0).ping()
    await engine.dispose()
    assert (tmp_path / "var" / "data" / "db.sqlite3").is_file()


async def test_report_configuration_round_trips_exactly(uow: SqlAlchemyUnitOfWork) -> None:
    report = a_report()
    async with uow:
        await uow.reports.add(report)
        await uow.commit()
    async with uow:
        loaded = await uow.reports.get("report-123")
        assert await uow.reports.get("report-999") is None
    assert loaded is not None
    assert loaded.updated_at is not None
    assert loaded.updated_at.tzinfo is UTC  # left unset, so the database stamped it
    assert loaded == replace(report, updated_at=loaded.updated_at)


async def test_job_round_trips_with_aware_utc_times(uow: SqlAlchemyUnitOfWork) -> None:
    job = a_job()
    async with uow:
        await uow.jobs.add(job)
        await uow.commit()
    async with uow:
        loaded = await uow.jobs.get(job.id)
        assert loaded == job
        assert loaded.created_at.tzinfo is UTC
        assert loaded.created_at.isoformat() == "2025-03-04T10:30:15.123456+00:00"
        loaded.start(
            datetime(2025, 3, 4, 10, 31, tzinfo=UTC), datetime(2025, 3, 4, 10, 36, tzinfo=UTC)
        )
        loaded.rows_written, loaded.progress_percent = 250, 42.5
        loaded.fail("The data source did not answer.", datetime(2025, 3, 4, 10, 32, tzinfo=UTC))
        assert await uow.jobs.save(loaded, if_status=JobStatus.QUEUED)
        await uow.commit()
    async with uow:
        updated = await uow.jobs.get(job.id)
    assert updated == loaded
    assert updated.status is JobStatus.FAILED
    assert updated.finished_at is not None
    assert updated.finished_at.tzinfo is UTC


async def test_work_not_committed_is_rolled_back_when_the_block_ends(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    job = a_job()
    async with uow:
        await uow.jobs.add(job)
        await uow.reports.add(a_report())
    async with uow:
        assert await uow.jobs.get(job.id) is None
        assert await uow.reports.get("report-123") is None


async def test_an_error_leaving_the_block_rolls_back_and_propagates_unchanged(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    job = a_job()

    async def add_then_fail() -> None:
        async with uow:
            await uow.jobs.add(job)
            raise ReportNotFound("report-123")

    with pytest.raises(ReportNotFound):
        await add_then_fail()
    async with uow:
        assert await uow.jobs.get(job.id) is None


async def test_a_job_added_but_not_committed_is_invisible_to_another_session(
    engine: AsyncEngine,
) -> None:
    writer = SqlAlchemyUnitOfWork(engine)
    reader = SqlAlchemyUnitOfWork(engine)
    job = a_job()
    async with writer:
        await writer.jobs.add(job)
        async with reader:
            assert await reader.jobs.get(job.id) is None
        await writer.commit()
    async with reader:
        assert await reader.jobs.get(job.id) == job


async def test_adding_a_job_writes_at_once_so_a_duplicate_fails_at_add(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    job = a_job()
    async with uow:
        await uow.jobs.add(job)
        await uow.commit()
    async with uow:
        with pytest.raises(StorageUnavailable):
            await uow.jobs.add(job)


async def test_the_database_rejects_an_unknown_job_status(engine: AsyncEngine) -> None:
    row = {
        "job_id": new_job_id(),
        "report_id": "report-123",
        "requested_by": "alice",
        "parameters": {},
        "format": "csv",
        "created_at": datetime.now(UTC),
    }
    async with engine.begin() as connection:
        await connection.execute(sa.insert(job_execution_log).values({**row, "status": "Queued"}))
    with pytest.raises(sa.exc.IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(
                sa.insert(job_execution_log).values(
                    {**row, "job_id": new_job_id(), "status": "Done"}
                )
            )


async def test_a_closed_postgres_port_fails_fast_with_storage_unavailable() -> None:
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/reportgen")
    started = time.monotonic()
    with pytest.raises(StorageUnavailable) as raised:
        async with SqlAlchemyUnitOfWork(engine) as uow:
            await uow.jobs.get(new_job_id())
    with pytest.raises(StorageUnavailable):
        await SqlAlchemyDatabase(engine, timeout_seconds=2.0).ping()
    await engine.dispose()
    assert time.monotonic() - started < 3
    assert "127.0.0.1" not in raised.value.message


async def test_a_postgres_server_that_never_answers_fails_within_the_timeout() -> None:
    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # accepts the connection, never answers

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    engine = create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{port}/x", timeout_seconds=0.5)
    started = time.monotonic()
    with pytest.raises(StorageUnavailable):
        async with SqlAlchemyUnitOfWork(engine) as uow:
            await uow.jobs.get(new_job_id())
    elapsed = time.monotonic() - started
    await engine.dispose()
    server.close()
    assert elapsed < 3


async def test_a_sqlite_file_that_cannot_be_opened_raises_storage_unavailable(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}")  # a directory, not a file
    with pytest.raises(StorageUnavailable):
        async with SqlAlchemyUnitOfWork(engine) as uow:
            await uow.reports.get("report-123")
    await engine.dispose()


async def test_sqlite_engine_recovers_once_the_file_can_be_opened(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a directory")
    engine = create_engine(f"sqlite+aiosqlite:///{blocker / 'db.sqlite3'}")
    with pytest.raises(StorageUnavailable):
        await SqlAlchemyDatabase(engine, timeout_seconds=2.0).ping()
    blocker.unlink()
    blocker.mkdir()
    await SqlAlchemyDatabase(engine, timeout_seconds=2.0).ping()
    await engine.dispose()


@pytest.mark.postgres
async def test_postgres_engine_recovers_after_its_connections_are_killed(
    postgres_url: str,
) -> None:
    await upgrade_database(postgres_url)
    engine = create_engine(postgres_url)
    uow = SqlAlchemyUnitOfWork(engine)
    async with uow:
        assert await uow.jobs.get(new_job_id()) is None
    admin = await asyncpg.connect(postgres_url.replace("+asyncpg", ""))
    await admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    await admin.close()
    async with uow:
        assert await uow.jobs.get(new_job_id()) is None
    await engine.dispose()


async def test_demo_sales_load_once_and_a_second_run_adds_nothing(database_url: str) -> None:
    assert await load_demo_sales(database_url) == 120_000
    assert await load_demo_sales(database_url) == 120_000
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        regions = set(await connection.scalars(sa.text("SELECT DISTINCT region FROM sales")))
        first, last = (
            await connection.execute(sa.text("SELECT MIN(sale_date), MAX(sale_date) FROM sales"))
        ).one()
    await engine.dispose()
    assert regions == {"North", "South", "East", "West", "Central"}
    assert str(first) >= "2024-01-01"
    assert str(last) <= "2025-12-31"
