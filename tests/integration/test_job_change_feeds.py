"""Job changes announced by one process and heard by another: local sockets, Redis pub/sub,
PostgreSQL NOTIFY, and the unit of work that announces what it committed."""

import asyncio
import secrets
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.announcements.local import LocalJobChanges, change_addresses
from adapters.announcements.postgres import PostgresJobChanges
from adapters.announcements.redis import RedisJobChanges, changes_channel
from adapters.arq.scheduler import create_redis
from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from application.jobs.change_ports import JobChange
from domain.job_status import JobStatus
from tests.builders import queued_job
from tests.support.redis_server import RedisServer

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
CHANGE = JobChange("job-1", JobStatus.SUCCEEDED, 42)


def local_pair(slots: int = 4) -> tuple[LocalJobChanges, LocalJobChanges]:
    """An announcer and a listener of the same service (a key of their own)."""
    addresses = change_addresses(f"sqlite:///{secrets.token_hex(8)}", slots)
    return LocalJobChanges(addresses), LocalJobChanges(addresses)


async def test_a_local_listener_hears_a_change_of_its_job_and_not_of_others() -> None:
    announcer, listener = local_pair()
    try:
        async with listener.watch("job-1") as changes:
            await announcer.announce([JobChange("job-2", JobStatus.RUNNING, 0), CHANGE])
            assert await changes.next(5) == CHANGE
            assert await changes.next(0.1) is None
    finally:
        await announcer.stop()
        await listener.stop()


async def test_every_local_listener_of_the_service_hears_each_change() -> None:
    announcer, first = local_pair()
    second = LocalJobChanges(change_addresses("unused", 0))
    second._addresses = first._addresses  # the same service, another process's feed
    try:
        async with first.watch("job-1") as heard_first, second.watch("job-1") as heard_second:
            await announcer.announce([CHANGE])
            assert await heard_first.next(5) == CHANGE
            assert await heard_second.next(5) == CHANGE
    finally:
        for feed in (announcer, first, second):
            await feed.stop()


async def test_a_feed_that_stops_watching_ends_every_watch_at_once_and_each_new_one() -> None:
    announcer, listener = local_pair()
    try:
        async with listener.watch("job-1") as changes:
            waiting = asyncio.ensure_future(changes.next(30))
            await asyncio.sleep(0.05)
            assert not waiting.done()
            listener.stop_watching()
            assert await asyncio.wait_for(waiting, 1) is None
            assert changes.closing
            await announcer.announce([CHANGE])  # heard, but a closing watch holds nobody
            assert await asyncio.wait_for(changes.next(30), 1) is None
        async with listener.watch("job-2") as later:
            assert later.closing
            assert await asyncio.wait_for(later.next(30), 1) is None
    finally:
        await announcer.stop()
        await listener.stop()


async def test_a_watch_keeps_the_newest_changes_when_nobody_reads_them() -> None:
    announcer, listener = local_pair()
    many = [JobChange("job-1", JobStatus.RUNNING, rows) for rows in range(40)]
    try:
        async with listener.watch("job-1") as changes:
            await announcer.announce(many)
            heard = []
            while (change := await changes.next(0.5)) is not None:
                heard.append(change.rows_written)
            assert heard == list(range(24, 40))  # the backlog: the 16 newest, in order
            assert not changes.closing
    finally:
        await announcer.stop()
        await listener.stop()


async def test_announcing_with_nobody_listening_neither_fails_nor_waits() -> None:
    announcer, _ = local_pair(slots=64)
    many = [JobChange(f"job-{n}", JobStatus.RUNNING, n) for n in range(1000)]
    await asyncio.wait_for(announcer.announce(many), 1)
    await announcer.stop()


@pytest.fixture
async def redis_feeds(redis_url: str) -> AsyncIterator[tuple[RedisJobChanges, RedisJobChanges]]:
    channel = changes_channel(f"sqlite:///{secrets.token_hex(8)}")
    clients = [create_redis(redis_url, timeout_seconds=2) for _ in range(2)]
    feeds = RedisJobChanges(clients[0], channel), RedisJobChanges(clients[1], channel)
    yield feeds
    for feed, client in zip(feeds, clients, strict=True):
        await feed.stop()
        await client.aclose()


async def test_a_redis_subscriber_hears_a_change_announced_by_another_client(
    redis_feeds: tuple[RedisJobChanges, RedisJobChanges],
) -> None:
    announcer, listener = redis_feeds
    async with listener.watch("job-1") as changes:  # subscribed once the block begins
        await announcer.announce([JobChange("job-2", JobStatus.RUNNING, 0), CHANGE])
        assert await changes.next(5) == CHANGE
        assert await changes.next(0.1) is None


async def test_services_sharing_a_redis_do_not_hear_each_other(redis_url: str) -> None:
    client = create_redis(redis_url, timeout_seconds=2)
    ours = RedisJobChanges(client, changes_channel("postgresql://a/ours"))
    theirs = RedisJobChanges(client, changes_channel("postgresql://a/theirs"))
    try:
        async with ours.watch("job-1") as changes:
            await theirs.announce([CHANGE])
            assert await changes.next(0.3) is None
    finally:
        await ours.stop()
        await client.aclose()


async def test_a_redis_listener_hears_again_after_redis_was_killed_and_restarted(
    tmp_path: Path,
) -> None:
    with RedisServer(tmp_path) as server:
        channel = changes_channel(f"sqlite:///{secrets.token_hex(8)}")
        clients = [create_redis(server.url, timeout_seconds=2) for _ in range(2)]
        announcer, listener = (RedisJobChanges(client, channel) for client in clients)
        try:
            async with listener.watch("job-1") as changes:
                await announcer.announce([CHANGE])
                assert await changes.next(5) == CHANGE
                await asyncio.to_thread(server.kill)  # a real SIGKILL: the subscription is gone
                await announcer.announce([CHANGE])  # lost, and the announcer does not raise
                await asyncio.to_thread(server.start)  # a new, empty Redis on the same port
                async with asyncio.timeout(15):
                    while (heard := await changes.next(0.2)) is None:
                        await announcer.announce([CHANGE])  # lost until the listener is back
                assert heard == CHANGE
        finally:
            for feed in (announcer, listener):
                await feed.stop()
            for client in clients:
                await client.aclose()


async def test_announcing_to_a_redis_that_does_not_answer_returns_at_once() -> None:
    client = create_redis("redis://127.0.0.1:1/0", timeout_seconds=1)
    feed = RedisJobChanges(client, "reportgen:test")
    await asyncio.wait_for(feed.announce([CHANGE]), 3)
    await client.aclose()


class RecordingAnnouncer:
    def __init__(self) -> None:
        self.announced: list[JobChange] = []

    async def announce(self, changes: Sequence[JobChange]) -> None:
        self.announced.extend(changes)


async def test_the_unit_of_work_announces_job_changes_only_once_committed(
    engine: AsyncEngine,
) -> None:
    announcer = RecordingAnnouncer()
    job = queued_job(NOW)
    async with SqlAlchemyUnitOfWork(engine, announcer=announcer) as uow:
        await uow.jobs.add(job)
        await uow.commit()
    assert announcer.announced == []  # a new job: nobody can wait on it yet

    job.start(NOW, NOW + timedelta(minutes=2))
    async with SqlAlchemyUnitOfWork(engine, announcer=announcer) as uow:
        assert await uow.jobs.save(job, if_status=JobStatus.QUEUED)
        # not committed: rolled back, not announced
    assert announcer.announced == []

    async with SqlAlchemyUnitOfWork(engine, announcer=announcer) as uow:
        assert not await uow.jobs.save(job, if_status=JobStatus.RUNNING)  # not written
        assert await uow.jobs.save(job, if_status=JobStatus.QUEUED)
        await uow.commit()
        assert announcer.announced == []  # after the block, once the gate is given back
    assert announcer.announced == [JobChange(job.id, JobStatus.RUNNING, 0)]


@pytest.fixture
async def postgres_feeds(
    postgres_url: str,
) -> AsyncIterator[tuple[PostgresJobChanges, PostgresJobChanges]]:
    engines = [create_engine(postgres_url) for _ in range(2)]
    feeds = tuple(PostgresJobChanges(e, postgres_url, timeout_seconds=2) for e in engines)
    yield feeds[0], feeds[1]
    for feed, engine in zip(feeds, engines, strict=True):
        await feed.stop()
        await engine.dispose()


@pytest.mark.postgres
async def test_a_postgres_listener_hears_a_change_notified_by_another_process(
    postgres_feeds: tuple[PostgresJobChanges, PostgresJobChanges],
) -> None:
    announcer, listener = postgres_feeds
    many = [JobChange(f"job-{n}", JobStatus.RUNNING, n) for n in range(150)]  # several notifies
    async with listener.watch("job-1") as changes, listener.watch("job-149") as last:
        await announcer.announce([*many, CHANGE])
        assert await changes.next(5) == JobChange("job-1", JobStatus.RUNNING, 1)
        assert await changes.next(5) == CHANGE
        assert await last.next(5) == JobChange("job-149", JobStatus.RUNNING, 149)


@pytest.mark.postgres
async def test_a_postgres_listener_hears_again_after_its_connection_was_killed(
    postgres_feeds: tuple[PostgresJobChanges, PostgresJobChanges], postgres_url: str
) -> None:
    announcer, listener = postgres_feeds
    async with listener.watch("job-1") as changes:
        admin = create_engine(postgres_url)
        try:
            async with admin.connect() as connection:
                killed = await connection.scalar(
                    sa.text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE query LIKE 'LISTEN%' AND datname = current_database()"
                    )
                )
            assert killed == 1
        finally:
            await admin.dispose()
        async with asyncio.timeout(10):
            while (heard := await changes.next(0.2)) is None:
                await announcer.announce([CHANGE])  # lost until the listener is back
        assert heard == CHANGE


async def test_announcing_to_a_postgresql_that_does_not_answer_returns_at_once() -> None:
    url = "postgresql+asyncpg://postgres@127.0.0.1:1/none"
    engine = create_engine(url, timeout_seconds=1)
    feed = PostgresJobChanges(engine, url, timeout_seconds=1)
    await asyncio.wait_for(feed.announce([CHANGE]), 5)
    await engine.dispose()
