"""The job repository on a real SQLite file and a real PostgreSQL database.

Results, leases and expiry persist; conditional updates decide races; jobs list
newest first in stable pages; the sweeps find exactly the jobs they are for.
"""

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.migrate import alembic_config, current_revision, upgrade_database
from adapters.sqlalchemy.tables import job_execution_log
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from application.jobs.ports import JobQuery
from domain.job_results import StoredResult
from domain.job_status import JobStatus
from domain.jobs import Job
from tests.builders import queued_job

NOW = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
CEST = timezone(timedelta(hours=2))
NEW_COLUMNS = {
    "result_key",
    "result_file_name",
    "result_content_type",
    "result_size",
    "result_sha256",
    "row_count",
    "expires_at",
    "lease_expires_at",
    "due_at",
    "request_id",
    "trace_parent",
}

Sessions = AsyncEngine  # a unit of work per block, on this engine


@pytest.fixture
def sessions(engine: AsyncEngine) -> Sessions:
    return engine


def a_result(size_bytes: int = 5_000_000_000) -> StoredResult:
    return StoredResult(
        key="results/2025/03/04/job.csv",
        file_name="report-123.csv",
        content_type="text/csv; charset=utf-8",
        size_bytes=size_bytes,
        sha256="ab" * 32,
        row_count=120_000,
    )


def running(created_at: datetime, lease_until: datetime) -> Job:
    job = queued_job(created_at)
    job.start(created_at, lease_until)
    return job


def succeeded(created_at: datetime, expires_at: datetime) -> Job:
    job = running(created_at, created_at + timedelta(minutes=5))
    job.succeed(a_result(), created_at + timedelta(minutes=1), expires_at)
    return job


async def save(sessions: Sessions, *jobs: Job) -> None:
    async with SqlAlchemyUnitOfWork(sessions) as uow:
        for job in jobs:
            await uow.jobs.add(job)
        await uow.commit()


async def load(sessions: Sessions, job_id: str) -> Job:
    async with SqlAlchemyUnitOfWork(sessions) as uow:
        job = await uow.jobs.get(job_id)
    assert job is not None
    return job


async def column_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        columns = await connection.run_sync(
            lambda sync: sa.inspect(sync).get_columns("JobExecutionLog")
        )
    return {column["name"] for column in columns}


async def test_migrations_reach_the_head_with_the_new_columns_and_running_again_changes_nothing(
    database_url: str,
) -> None:
    await upgrade_database(database_url)
    await upgrade_database(database_url)
    assert await current_revision(database_url) == "0009"
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        indexes = await connection.run_sync(
            lambda sync: sa.inspect(sync).get_indexes("JobExecutionLog")
        )
        key_columns = await connection.run_sync(
            lambda sync: sa.inspect(sync).get_pk_constraint("IdempotencyKey")["constrained_columns"]
        )
    assert await column_names(engine) >= NEW_COLUMNS
    await engine.dispose()
    by_name = {index["name"]: index["column_names"] for index in indexes}
    assert by_name["ix_JobExecutionLog_status_lease"] == ["status", "lease_expires_at"]
    assert by_name["ix_JobExecutionLog_expires_at"] == ["expires_at"]
    assert by_name["ix_JobExecutionLog_status_created_at"] == ["status", "created_at"]
    assert by_name["ix_JobExecutionLog_requested_by_status"] == ["requested_by", "status"]
    assert key_columns == ["caller", "report_id", "key"]


async def test_downgrade_to_0001_drops_the_new_columns_but_keeps_jobs_and_the_status_check(
    engine: AsyncEngine, database_url: str, sessions: Sessions
) -> None:
    job = queued_job(NOW)
    await save(sessions, job)
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), "0001")
    assert await current_revision(database_url) == "0001"
    assert not NEW_COLUMNS & await column_names(engine)
    async with engine.connect() as connection:
        kept = await connection.scalar(sa.text('SELECT status FROM "JobExecutionLog"'))
    assert kept == "Queued"
    with pytest.raises(sa.exc.IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(sa.text("""UPDATE "JobExecutionLog" SET status = 'Done'"""))
    await upgrade_database(database_url)
    assert await load(sessions, job.id) == job


async def test_a_job_round_trips_through_lease_result_and_discarded_result(
    sessions: Sessions,
) -> None:
    job = queued_job(datetime(2025, 3, 4, 14, 0, 0, 123456, tzinfo=CEST))
    await save(sessions, job)
    states: list[Job] = []
    job.start(NOW, datetime(2025, 3, 4, 14, 5, 0, 654321, tzinfo=CEST))
    states.append(replace(job))
    job.succeed(a_result(), NOW + timedelta(minutes=2), NOW + timedelta(days=7))
    states.append(replace(job))
    job.discard_result()
    states.append(replace(job))
    loaded: list[Job] = []
    before = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED)
    for state, stored_status in zip(states, before, strict=True):
        async with SqlAlchemyUnitOfWork(sessions) as uow:
            assert await uow.jobs.save(state, if_status=stored_status)
            await uow.commit()
        loaded.append(await load(sessions, job.id))
    assert loaded == states
    leased, done, _ = loaded
    assert leased.lease_expires_at is not None
    assert leased.lease_expires_at.isoformat() == "2025-03-04T12:05:00.654321+00:00"
    assert leased.lease_expires_at.tzinfo is UTC
    assert done.expires_at is not None
    assert done.expires_at.tzinfo is UTC


async def test_discarding_a_result_clears_every_result_column(
    engine: AsyncEngine, sessions: Sessions
) -> None:
    job = succeeded(NOW, NOW + timedelta(days=1))
    await save(sessions, job)
    job.discard_result()
    async with SqlAlchemyUnitOfWork(sessions) as uow:
        assert await uow.jobs.save(job, if_status=JobStatus.SUCCEEDED)
        await uow.commit()
    names = ("result_key", "result_file_name", "result_content_type", "result_size")
    columns = [job_execution_log.c[name] for name in (*names, "result_sha256", "row_count")]
    async with engine.connect() as connection:
        row = (await connection.execute(sa.select(*columns))).one()
    assert tuple(row) == (None,) * 6


async def test_of_two_concurrent_claims_of_a_queued_job_exactly_one_wins(
    sessions: Sessions,
) -> None:
    job = queued_job(NOW)
    await save(sessions, job)
    both_read = asyncio.Barrier(2)

    async def claim() -> bool:
        async with SqlAlchemyUnitOfWork(sessions) as uow:
            mine = await uow.jobs.get(job.id)
            assert mine is not None
            await both_read.wait()  # both hold a Queued copy before either writes
            mine.start(NOW, NOW + timedelta(minutes=5))
            won = await uow.jobs.save(mine, if_status=JobStatus.QUEUED)
            await uow.commit()
            return won

    async with asyncio.timeout(10):
        outcomes = await asyncio.gather(claim(), claim())
    assert sorted(outcomes) == [False, True]
    stored = await load(sessions, job.id)
    assert (stored.status, stored.attempts) == (JobStatus.RUNNING, 1)


async def test_a_worker_write_expecting_running_loses_to_a_cancellation(
    sessions: Sessions,
) -> None:
    job = running(NOW, NOW + timedelta(minutes=5))
    await save(sessions, job)
    worker_copy = await load(sessions, job.id)
    async with SqlAlchemyUnitOfWork(sessions) as uow:
        cancelled = await uow.jobs.get(job.id)
        assert cancelled is not None
        cancelled.cancel(NOW + timedelta(minutes=1))
        assert await uow.jobs.save(cancelled, if_status=JobStatus.RUNNING)
        await uow.commit()
    worker_copy.record_progress(500, 50.0, NOW + timedelta(minutes=10))
    async with SqlAlchemyUnitOfWork(sessions) as uow:
        assert not await uow.jobs.save(worker_copy, if_status=JobStatus.RUNNING)
        await uow.commit()
    assert await load(sessions, job.id) == cancelled


async def test_a_runs_write_loses_once_another_attempt_claimed_the_job(
    sessions: Sessions,
) -> None:
    job = running(NOW, NOW + timedelta(minutes=5))
    await save(sessions, job)
    stalled = await load(sessions, job.id)  # attempt 1, its worker stalled past the lease
    async with SqlAlchemyUnitOfWork(sessions) as uow:
        taken = await uow.jobs.get(job.id)
        assert taken is not None
        taken.recover_abandoned(NOW + timedelta(minutes=6), max_attempts=3)
        taken.start(NOW + timedelta(minutes=6), NOW + timedelta(minutes=8))  # attempt 2
        assert await uow.jobs.save(taken, if_status=JobStatus.RUNNING, if_attempts=1)
        await uow.commit()
    stalled.succeed(a_result(), NOW + timedelta(minutes=7), NOW + timedelta(days=1))
    async with SqlAlchemyUnitOfWork(sessions) as uow:
        assert not await uow.jobs.save(stalled, if_status=JobStatus.RUNNING, if_attempts=1)
        assert await uow.jobs.save(taken, if_status=JobStatus.RUNNING, if_attempts=2)
        await uow.commit()
    assert await load(sessions, job.id) == taken


async def test_saving_a_job_that_is_not_stored_writes_nothing(sessions: Sessions) -> None:
    async with SqlAlchemyUnitOfWork(sessions) as uow:
        assert not await uow.jobs.save(queued_job(NOW), if_status=JobStatus.QUEUED)


async def listed(sessions: Sessions, query: JobQuery) -> list[str]:
    async with SqlAlchemyUnitOfWork(sessions) as uow:
        return [job.id for job in await uow.jobs.find(query)]


async def test_jobs_list_newest_first_filtered_by_owner_status_and_report(
    sessions: Sessions,
) -> None:
    oldest = queued_job(NOW)
    other_report = replace(queued_job(NOW + timedelta(seconds=1)), report_id="report-456")
    bobs = queued_job(NOW + timedelta(seconds=2), requested_by="bob")
    newest = running(NOW + timedelta(seconds=3), NOW + timedelta(minutes=5))
    await save(sessions, bobs, oldest, newest, other_report)
    alices = [newest.id, other_report.id, oldest.id]
    assert await listed(sessions, JobQuery(requested_by="alice")) == alices
    assert await listed(sessions, JobQuery(requested_by=None)) == [
        newest.id,
        bobs.id,
        other_report.id,
        oldest.id,
    ]
    assert await listed(sessions, JobQuery("alice", status=JobStatus.RUNNING)) == [newest.id]
    assert await listed(sessions, JobQuery("alice", report_id="report-456")) == [other_report.id]
    assert await listed(
        sessions, JobQuery(None, status=JobStatus.QUEUED, report_id="report-123")
    ) == [
        bobs.id,
        oldest.id,
    ]
    assert await listed(sessions, JobQuery("carol")) == []
    assert await listed(sessions, JobQuery(None, limit=2)) == [newest.id, bobs.id]


async def test_pages_of_ten_cover_25_jobs_once_each_even_where_created_at_ties(
    sessions: Sessions,
) -> None:
    # Four jobs share each moment, so both page boundaries fall inside a tie.
    jobs = [queued_job(NOW + timedelta(seconds=index // 4)) for index in range(25)]
    await save(sessions, *jobs)
    expected = [job.id for job in sorted(jobs, key=lambda j: (j.created_at, j.id), reverse=True)]
    by_id = {job.id: job for job in jobs}
    pages: list[list[str]] = []
    before: tuple[datetime, str] | None = None
    for _ in range(4):
        page = await listed(sessions, JobQuery("alice", before=before, limit=10))
        pages.append(page)
        if page:
            before = (by_id[page[-1]].created_at, page[-1])
    assert [len(page) for page in pages] == [10, 10, 5, 0]
    assert [job_id for page in pages for job_id in page] == expected


async def test_expired_leases_are_running_jobs_whose_lease_ended_longest_ago_first(
    sessions: Sessions,
) -> None:
    expired = [running(NOW - timedelta(hours=1), NOW - timedelta(minutes=m)) for m in (9, 5, 0)]
    live = running(NOW - timedelta(hours=1), NOW + timedelta(seconds=1))
    not_running = queued_job(NOW - timedelta(hours=1))
    not_running.lease_expires_at = NOW - timedelta(hours=1)
    await save(sessions, live, expired[2], not_running, expired[0], expired[1], queued_job(NOW))
    async with SqlAlchemyUnitOfWork(sessions) as uow:
        found = [job.id for job in await uow.jobs.with_expired_lease(NOW, 10)]
        first_two = [job.id for job in await uow.jobs.with_expired_lease(NOW, 2)]
    assert found == [job.id for job in expired]
    assert first_two == found[:2]


async def test_queued_before_finds_queued_jobs_created_strictly_earlier_oldest_first(
    sessions: Sessions,
) -> None:
    waiting = [queued_job(NOW - timedelta(minutes=m)) for m in (30, 20, 10)]
    at_moment, later = queued_job(NOW), queued_job(NOW + timedelta(minutes=1))
    started = running(NOW - timedelta(hours=1), NOW - timedelta(minutes=50))
    await save(sessions, later, waiting[1], started, at_moment, waiting[2], waiting[0])
    async with SqlAlchemyUnitOfWork(sessions) as uow:
        found = [job.id for job in await uow.jobs.queued_before(NOW, 10)]
        first_two = [job.id for job in await uow.jobs.queued_before(NOW, 2)]
    assert found == [job.id for job in waiting]
    assert first_two == found[:2]


async def test_expired_results_are_kept_results_of_succeeded_jobs_past_expiry(
    sessions: Sessions,
) -> None:
    created = NOW - timedelta(days=10)
    expired = [succeeded(created, NOW - timedelta(days=d)) for d in (3, 2, 0)]
    fresh = succeeded(created, NOW + timedelta(seconds=1))
    discarded = succeeded(created, NOW - timedelta(days=4))
    discarded.discard_result()
    failed = running(created, NOW)
    failed.fail("The data source did not answer.", NOW - timedelta(days=9))
    failed.expires_at, failed.result = NOW - timedelta(days=5), a_result()
    await save(sessions, fresh, expired[1], discarded, failed, expired[2], expired[0])
    async with SqlAlchemyUnitOfWork(sessions) as uow:
        found = [job.id for job in await uow.jobs.with_expired_result(NOW, 10)]
        first_two = [job.id for job in await uow.jobs.with_expired_result(NOW, 2)]
    assert found == [job.id for job in expired]
    assert first_two == found[:2]


async def test_the_due_jobs_are_the_queued_ones_past_their_backoff_oldest_first(
    sessions: Sessions,
) -> None:
    older, newer = queued_job(NOW), queued_job(NOW + timedelta(seconds=1))
    backing_off = running(NOW - timedelta(seconds=10), NOW + timedelta(minutes=5))
    backing_off.retry_later("Down.", NOW, 3, due_at=NOW + timedelta(seconds=30))
    busy = running(NOW - timedelta(hours=1), NOW + timedelta(minutes=5))
    for job in (newer, backing_off, busy, older):
        await save(sessions, job)

    async with SqlAlchemyUnitOfWork(sessions) as uow:
        now_due = [job.id for job in await uow.jobs.due(NOW, 10)]
        later_due = [job.id for job in await uow.jobs.due(NOW + timedelta(seconds=30), 10)]
        first = [job.id for job in await uow.jobs.due(NOW, 1)]

    assert now_due == [older.id, newer.id]
    assert later_due == [backing_off.id, older.id, newer.id]  # created first, due now
    assert first == [older.id]
