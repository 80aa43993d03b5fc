"""On SQLite the writers of one process take turns: a second writer waits for the first."""

import asyncio
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.migrate import upgrade_database
from adapters.sqlalchemy.tables import job_execution_log
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from adapters.sqlalchemy.write_gate import WriteGate, write_gate
from application.common.errors import StorageUnavailable
from domain.job_status import JobStatus
from tests.builders import queued_job


@pytest.fixture
async def engine(sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    await upgrade_database(sqlite_url)
    engine = create_engine(sqlite_url)
    yield engine
    await engine.dispose()


async def _count_jobs(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        query = sa.select(sa.func.count()).select_from(job_execution_log)
        return int((await connection.execute(query)).scalar_one())


async def test_second_writer_goes_through_once_the_first_ends(engine: AsyncEngine) -> None:
    factory = engine
    first, second = SqlAlchemyUnitOfWork(factory), SqlAlchemyUnitOfWork(factory)
    await first.__aenter__()
    await first.jobs.add(queued_job())
    async with second:
        waiting = asyncio.create_task(second.jobs.add(queued_job()))
        await asyncio.sleep(0.2)
        assert not waiting.done()
        await first.commit()
        await first.__aexit__(None, None, None)
        await asyncio.wait_for(waiting, timeout=2)
        await second.commit()
    assert await _count_jobs(engine) == 2


async def test_readers_do_not_wait_for_a_writer(engine: AsyncEngine) -> None:
    factory = engine
    writer, reader = SqlAlchemyUnitOfWork(factory), SqlAlchemyUnitOfWork(factory)
    async with writer:
        job = queued_job()
        await writer.jobs.add(job)
        async with reader, asyncio.timeout(1):
            assert await reader.jobs.get(job.id) is None


async def test_many_concurrent_writers_all_succeed(engine: AsyncEngine) -> None:
    factory = engine

    async def create_jobs() -> None:
        for _ in range(10):
            async with SqlAlchemyUnitOfWork(factory) as uow:
                await uow.jobs.add(queued_job())
                await asyncio.sleep(0.02)  # a slow enqueue, the lock held meanwhile
                await uow.commit()

    async with asyncio.timeout(30):
        await asyncio.gather(*(create_jobs() for _ in range(16)))
    assert await _count_jobs(engine) == 160


async def test_a_writer_never_waits_for_a_connection_held_by_a_reader_waiting_to_write(
    sqlite_url: str,
) -> None:
    await upgrade_database(sqlite_url)
    engine = create_engine(sqlite_url, timeout_seconds=1.0)
    factory = engine
    stored = queued_job()
    async with SqlAlchemyUnitOfWork(factory) as uow:
        await uow.jobs.add(stored)
        await uow.commit()
    all_reading, write_now = asyncio.Barrier(21), asyncio.Event()

    async def read_then_write() -> None:
        async with SqlAlchemyUnitOfWork(factory) as uow:
            job = await uow.jobs.get(stored.id)  # holds a pooled connection from here on
            assert job is not None
            await all_reading.wait()
            await write_now.wait()
            await uow.jobs.save(job, if_status=JobStatus.QUEUED)  # waits for the gate
            await uow.commit()

    async def write_first() -> None:
        async with SqlAlchemyUnitOfWork(factory) as uow:
            await uow.jobs.add(queued_job())  # takes the gate, then needs a connection
            write_now.set()
            await asyncio.sleep(0.1)  # the readers queue up for the gate meanwhile
            await uow.commit()

    try:
        async with asyncio.timeout(10):
            readers = [asyncio.create_task(read_then_write()) for _ in range(20)]
            await all_reading.wait()  # 20 connections held, more than a bounded pool's 15
            await asyncio.gather(write_first(), *readers)
        assert await _count_jobs(engine) == 2
    finally:
        await engine.dispose()


async def test_writer_that_cannot_get_a_turn_in_time_gets_storage_unavailable() -> None:
    gate = WriteGate(enabled=True, timeout_seconds=0.1)
    await gate.acquire()
    with pytest.raises(StorageUnavailable, match="busy"):
        await gate.acquire()
    gate.release()
    await gate.acquire()
    gate.release()


async def test_postgresql_engines_have_no_gate(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    try:
        assert write_gate(engine).enabled is False
    finally:
        await engine.dispose()
