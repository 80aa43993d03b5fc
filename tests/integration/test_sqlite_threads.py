"""Units of work on a SQLite file run on the synchronous driver, one thread hop per step."""

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.engine import SqlAlchemyDatabase, create_engine
from adapters.sqlalchemy.migrate import upgrade_database
from adapters.sqlalchemy.sqlite_threads import SqliteThreads, sqlite_threads
from adapters.sqlalchemy.tables import job_execution_log
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from domain.job_status import JobStatus
from tests.builders import queued_job


@pytest.fixture
async def engine(sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    await upgrade_database(sqlite_url)
    engine = create_engine(sqlite_url, timeout_seconds=0.5)
    yield engine
    await SqlAlchemyDatabase(engine, timeout_seconds=1).stop()


class CountedSteps:
    """Counts the calls a unit of work makes on the engine's threads."""

    def __init__(self, threads: SqliteThreads, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        submit = threads.submit

        def counted(function: Callable[..., Any], *args: Any) -> Any:
            self.count += 1
            return submit(function, *args)

        monkeypatch.setattr(threads, "submit", counted)


async def _job_ids(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        rows = await connection.execute(sa.select(job_execution_log.c.job_id))
        return {row.job_id for row in rows}


async def test_a_write_and_its_commit_take_two_hops_and_the_row_reads_back_whole(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads = sqlite_threads(engine)
    assert threads is not None
    steps = CountedSteps(threads, monkeypatch)
    jobs = [queued_job(), queued_job()]

    async with SqlAlchemyUnitOfWork(engine) as uow:
        await uow.jobs.add(*jobs)
        await uow.commit()

    assert steps.count == 2  # begin and insert, then commit and give back
    async with SqlAlchemyUnitOfWork(engine) as uow:
        stored = await uow.jobs.get(jobs[0].id)
    assert stored == jobs[0]  # JSON parameters and times come back as they went in
    assert steps.count == 4  # a read: the select, then give back


async def test_a_memory_database_has_no_threads() -> None:
    engine = create_engine("sqlite+aiosqlite:///:memory:")
    try:
        assert sqlite_threads(engine) is None
    finally:
        await engine.dispose()


async def test_a_caller_leaving_mid_step_leaves_nothing_committed_and_the_connection_usable(
    engine: AsyncEngine, sqlite_url: str
) -> None:
    path = Path(sa.make_url(sqlite_url).database or "")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    job = queued_job()
    try:
        uow = SqlAlchemyUnitOfWork(engine)
        await uow.__aenter__()
        writing = asyncio.create_task(uow.jobs.add(job))
        await asyncio.sleep(0.1)  # the insert now waits for the lock on a thread
        writing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await writing
        # Ending the unit of work waits for the step still running (it fails on the lock),
        # then gives the connection back.
        await uow.__aexit__(None, None, None)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert await _job_ids(engine) == set()

    async with SqlAlchemyUnitOfWork(engine) as uow:  # the pool is whole again
        await uow.jobs.add(job)
        await uow.commit()
    assert await _job_ids(engine) == {job.id}
    async with SqlAlchemyUnitOfWork(engine) as uow:
        stored = await uow.jobs.get(job.id)
    assert stored is not None
    assert stored.status is JobStatus.QUEUED
