"""ArqJobScheduler tells, against the real Redis, which queued jobs lost their entry."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import redis.asyncio as aioredis

from adapters.arq.scheduler import ArqJobScheduler, create_redis
from application.common.errors import SchedulerUnavailable
from application.jobs.ports import JobMessage
from tests.support.redis_server import free_port

pytestmark = pytest.mark.redis

REQUESTED_AT = datetime(2025, 3, 1, 12, 30, tzinfo=UTC)


def a_message(delivery: int = 0) -> JobMessage:
    return JobMessage(str(uuid.uuid4()), REQUESTED_AT, delivery=delivery)


@pytest.fixture
async def scheduler(redis_url: str) -> AsyncIterator[ArqJobScheduler]:
    scheduler = ArqJobScheduler(create_redis(redis_url, timeout_seconds=1.0), timeout_seconds=1.5)
    yield scheduler
    await scheduler.stop()


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def test_jobs_held_by_any_of_their_deliveries_are_queued_and_the_others_are_not(
    scheduler: ArqJobScheduler, client: aioredis.Redis
) -> None:
    held, held_later, lost, lost_later = a_message(), a_message(2), a_message(), a_message(1)
    await scheduler.enqueue(held)
    await scheduler.enqueue(JobMessage(held_later.job_id, REQUESTED_AT, delivery=1))
    await scheduler.enqueue(lost)
    await client.delete(f"arq:job:{lost.job_id}")  # the entry vanished

    unqueued = await scheduler.unqueued([held, held_later, lost, lost_later])

    assert unqueued == [lost, lost_later]


async def test_an_entry_a_worker_marked_in_progress_is_no_waiting_entry(
    scheduler: ArqJobScheduler, client: aioredis.Redis
) -> None:
    message = a_message()
    await scheduler.enqueue(message)
    await client.set(f"arq:in-progress:{message.job_id}", b"1")

    assert await scheduler.unqueued([message]) == [message]


async def test_the_queue_is_intact_from_its_confirmation_until_redis_is_emptied(
    scheduler: ArqJobScheduler, client: aioredis.Redis
) -> None:
    assert not await scheduler.queue_intact()
    await scheduler.confirm_queue()
    assert await scheduler.queue_intact()
    await client.flushdb()
    assert not await scheduler.queue_intact()


async def test_a_redis_that_does_not_answer_makes_the_check_unavailable() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    scheduler = ArqJobScheduler(create_redis(url, timeout_seconds=0.5), timeout_seconds=0.5)
    try:
        with pytest.raises(SchedulerUnavailable):
            await scheduler.unqueued([a_message()])
        with pytest.raises(SchedulerUnavailable):
            await scheduler.queue_intact()
    finally:
        await scheduler.stop()
