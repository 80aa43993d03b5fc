"""ArqJobScheduler against the real Redis: what it writes, how it fails, how it recovers."""

import asyncio
import pickle
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from arq.jobs import Job, JobResult, deserialize_job
from arq.worker import Worker, func

from adapters.arq.scheduler import ArqJobScheduler, create_redis, redis_settings
from adapters.arq.wire import QUEUE_NAME, RUN_REPORT_JOB, deserialize, serialize
from application.common.errors import JobAlreadyQueued, SchedulerUnavailable
from application.jobs.ports import JobMessage
from tests.support.redis import HOST, PORT
from tests.support.tcp import SilentServer, TcpForwarder

pytestmark = [
    pytest.mark.redis,
    # arq's Worker.close still calls redis-py's deprecated close().
    pytest.mark.filterwarnings("ignore:Call to deprecated close:DeprecationWarning"),
]

REQUESTED_AT = datetime(2025, 3, 1, 12, 30, tzinfo=UTC)


def a_message() -> JobMessage:
    return JobMessage(job_id=str(uuid.uuid4()), requested_at=REQUESTED_AT)


@pytest.fixture
async def scheduler(redis_url: str) -> AsyncIterator[ArqJobScheduler]:
    scheduler = ArqJobScheduler(create_redis(redis_url, timeout_seconds=1.0), timeout_seconds=1.5)
    yield scheduler
    await scheduler.stop()


async def stored_job(redis_url: str, job_id: str) -> tuple[bytes | None, float | None]:
    """The job's stored payload and its score in the queue."""
    redis = create_redis(redis_url, timeout_seconds=1.0)
    try:
        return await redis.get(f"arq:job:{job_id}"), await redis.zscore(QUEUE_NAME, job_id)
    finally:
        await redis.aclose(close_connection_pool=True)


async def check(scheduler: ArqJobScheduler, call: str) -> None:
    await (scheduler.enqueue(a_message()) if call == "enqueue" else scheduler.ping())


async def test_enqueue_stores_the_job_as_messagepack_under_its_own_id(
    scheduler: ArqJobScheduler, redis_url: str
) -> None:
    message = a_message()
    await scheduler.enqueue(message)

    raw, score = await stored_job(redis_url, message.job_id)
    assert raw is not None
    assert score is not None
    assert not raw.startswith(pickle.PROTO)
    assert msgspec.msgpack.decode(raw)["f"] == RUN_REPORT_JOB
    job = deserialize_job(raw, deserializer=deserialize)
    assert job.function == RUN_REPORT_JOB
    assert list(job.args) == [message.job_id, "2025-03-01T12:30:00+00:00"]


async def test_new_jobs_are_queued_as_enqueue_job_would_in_one_round_trip(
    scheduler: ArqJobScheduler, redis_url: str
) -> None:
    messages = [a_message() for _ in range(20)]
    redis = create_redis(redis_url, timeout_seconds=1.0)
    try:
        before = await redis.info("commandstats")
        await scheduler.enqueue_new(messages)
        after = await redis.info("commandstats")
    finally:
        await redis.aclose(close_connection_pool=True)

    for message in messages:
        raw, score = await stored_job(redis_url, message.job_id)
        assert raw is not None
        assert score is not None
        job = deserialize_job(raw, deserializer=deserialize)
        assert (job.function, list(job.args)) == (
            RUN_REPORT_JOB,
            [message.job_id, "2025-03-01T12:30:00+00:00"],
        )

    def calls(command: str, stats: dict[str, dict[str, int]]) -> int:
        return stats.get(f"cmdstat_{command}", {}).get("calls", 0)

    assert calls("exec", after) - calls("exec", before) == 1  # one MULTI/EXEC for all 20
    assert calls("watch", after) == calls("watch", before)  # fresh ids: nothing to check


async def test_enqueueing_the_same_job_id_twice_is_refused(scheduler: ArqJobScheduler) -> None:
    message = a_message()
    await scheduler.enqueue(message)

    with pytest.raises(JobAlreadyQueued):
        await scheduler.enqueue(message)


async def test_a_later_delivery_of_a_job_arq_still_holds_is_queued_under_a_new_id(
    scheduler: ArqJobScheduler, redis_url: str
) -> None:
    first = a_message()
    await scheduler.enqueue(first)  # held by arq, as the entry of a worker that was killed
    again = JobMessage(first.job_id, REQUESTED_AT, delivery=1)

    await scheduler.enqueue(again)

    raw, score = await stored_job(redis_url, f"{first.job_id}:1")
    assert raw is not None
    assert score is not None
    job = deserialize_job(raw, deserializer=deserialize)
    assert list(job.args) == [first.job_id, "2025-03-01T12:30:00+00:00"]
    with pytest.raises(JobAlreadyQueued):
        await scheduler.enqueue(again)


async def test_a_delivery_a_dead_worker_took_before_its_claim_is_queued_under_a_spare_id(
    redis_url: str,
) -> None:
    redis = create_redis(redis_url, timeout_seconds=1.0)
    scheduler = ArqJobScheduler(redis, timeout_seconds=1.5, abandoned_after=timedelta(seconds=0.5))
    message = a_message()
    await scheduler.enqueue(message)
    try:  # a worker took the delivery, marked it in progress, and was killed
        await redis.set(f"arq:in-progress:{message.job_id}", b"1")
        with pytest.raises(JobAlreadyQueued):  # it may be claiming the job right now
            await scheduler.enqueue(message)
        await asyncio.sleep(0.6)  # a lease later, it has not: it died
        await scheduler.enqueue(message)
        unqueued = await scheduler.unqueued([message])
    finally:
        await scheduler.stop()

    raw, score = await stored_job(redis_url, f"{message.job_id}~1")
    assert raw is not None
    assert score is not None
    assert list(deserialize_job(raw, deserializer=deserialize).args)[:1] == [message.job_id]
    assert unqueued == []  # the spare waits: the queue check leaves the job alone
    with pytest.raises(JobAlreadyQueued):  # and hands over no third entry
        await scheduler.enqueue(message)


@pytest.fixture(params=["closed port", "silent peer"])
async def unreachable_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    if request.param == "closed port":
        yield "redis://:secret-pw@127.0.0.1:1/0"
        return
    silent = SilentServer()
    await silent.start()
    yield f"redis://:secret-pw@127.0.0.1:{silent.port}/0"
    await silent.stop()


@pytest.mark.parametrize("call", ["enqueue", "ping"])
async def test_an_unreachable_redis_fails_fast_without_naming_the_url(
    unreachable_url: str, call: str
) -> None:
    scheduler = ArqJobScheduler(
        create_redis(unreachable_url, timeout_seconds=1.0), timeout_seconds=1.5
    )
    started = time.monotonic()
    try:
        async with asyncio.timeout(5):  # fail, rather than hang, if nothing bounds the call
            with pytest.raises(SchedulerUnavailable) as raised:
                await check(scheduler, call)
    finally:
        await scheduler.stop()
    assert time.monotonic() - started < 3
    assert "secret-pw" not in raised.value.message
    assert "127.0.0.1" not in raised.value.message


async def test_the_same_scheduler_recovers_when_redis_comes_back(redis_url: str) -> None:
    forwarder = TcpForwarder(HOST, PORT)
    await forwarder.start()
    database = redis_url.rsplit("/", 1)[1]
    redis = create_redis(f"redis://127.0.0.1:{forwarder.port}/{database}", timeout_seconds=1.0)
    scheduler = ArqJobScheduler(redis, timeout_seconds=1.5)
    try:
        await scheduler.enqueue(a_message())
        await forwarder.stop()
        started = time.monotonic()
        with pytest.raises(SchedulerUnavailable):
            await scheduler.enqueue(a_message())
        assert time.monotonic() - started < 3

        await forwarder.start()
        after_recovery = a_message()
        await scheduler.enqueue(after_recovery)
        await scheduler.ping()
    finally:
        await scheduler.stop()
        await forwarder.stop()
    assert (await stored_job(redis_url, after_recovery.job_id))[0] is not None


async def run_in_worker(redis_url: str, job: Any, job_id: str) -> JobResult | None:
    """Run the queued jobs in a real arq worker; return the result stored for ``job_id``."""
    worker = Worker(
        functions=[func(job, name=RUN_REPORT_JOB)],
        redis_settings=redis_settings(redis_url),
        queue_name=QUEUE_NAME,
        burst=True,
        poll_delay=0.05,
        handle_signals=False,
        job_serializer=serialize,
        job_deserializer=deserialize,
    )
    try:
        async with asyncio.timeout(10):
            await worker.main()
            return await Job(job_id, worker.pool, _deserializer=deserialize).result_info()
    finally:
        await worker.close()


@pytest.mark.parametrize(
    ("error", "stored_result"),
    [(None, None), (ValueError("the data set is gone"), "ValueError: the data set is gone")],
)
async def test_an_arq_worker_runs_the_job_and_stores_its_outcome_as_messagepack(
    scheduler: ArqJobScheduler, redis_url: str, error: Exception | None, stored_result: str | None
) -> None:
    received: list[tuple[str, str]] = []

    async def run_report_job(ctx: dict[str, Any], job_id: str, requested_at: str) -> None:
        received.append((job_id, requested_at))
        if error is not None:
            raise error

    message = a_message()
    await scheduler.enqueue(message)
    result = await run_in_worker(redis_url, run_report_job, message.job_id)

    assert received == [(message.job_id, REQUESTED_AT.isoformat())]
    assert result is not None
    assert result.success is (error is None)
    assert result.result == stored_result
