"""InProcessJobScheduler: runs queued jobs in this process, a bounded number at a time."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.inprocess.scheduler import InProcessJobScheduler
from application.common.errors import SchedulerUnavailable
from application.jobs.ports import JobMessage, JobOutcome, JobRun

Handler = Callable[[JobMessage], Awaitable[JobRun]]
Factory = Callable[..., Awaitable[InProcessJobScheduler]]
DONE = JobRun(JobOutcome.SUCCEEDED)


def a_message() -> JobMessage:
    return JobMessage(job_id=str(uuid.uuid4()), requested_at=datetime.now(UTC))


async def do_nothing(message: JobMessage) -> JobRun:
    return DONE


async def no_sweep(redeliver_all_queued: bool) -> None:
    pass


async def within_two_seconds(awaitable: Awaitable[object]) -> None:
    async with asyncio.timeout(2):
        await awaitable


@pytest.fixture
async def build() -> AsyncIterator[Factory]:
    """Builds schedulers, started unless ``start=False``; stops every one after the test."""
    schedulers: list[InProcessJobScheduler] = []

    async def build(
        handler: Handler, *, start: bool = True, **options: Any
    ) -> InProcessJobScheduler:
        settings: dict[str, Any] = {
            "sweep": no_sweep,
            "sweep_interval": timedelta(minutes=1),
            "concurrency": 2,
            "max_queue": 1000,
            "stop_timeout": timedelta(seconds=1),
        }
        scheduler = InProcessJobScheduler(handler, **(settings | options))
        schedulers.append(scheduler)
        if start:
            await scheduler.start()
        return scheduler

    yield build
    for scheduler in schedulers:
        await scheduler.stop()


async def test_each_queued_job_is_handed_to_the_handler(build: Factory) -> None:
    handled: list[str] = []

    async def handler(message: JobMessage) -> JobRun:
        handled.append(message.job_id)
        return DONE

    scheduler = await build(handler)
    messages = [a_message() for _ in range(5)]
    for message in messages:
        await scheduler.enqueue(message)
    await within_two_seconds(scheduler.join())

    assert sorted(handled) == sorted(m.job_id for m in messages)


async def test_no_more_jobs_run_at_once_than_the_concurrency(build: Factory) -> None:
    running: set[str] = set()
    most_at_once = 0
    two_running, release = asyncio.Event(), asyncio.Event()

    async def handler(message: JobMessage) -> JobRun:
        nonlocal most_at_once
        running.add(message.job_id)
        most_at_once = max(most_at_once, len(running))
        if len(running) == 2:
            two_running.set()
        await release.wait()
        running.discard(message.job_id)
        return DONE

    scheduler = await build(handler, concurrency=2)
    for _ in range(5):
        await scheduler.enqueue(a_message())
    await within_two_seconds(two_running.wait())
    await asyncio.sleep(0.05)  # room for a third job to start, were it allowed to
    release.set()
    await within_two_seconds(scheduler.join())

    assert most_at_once == 2


async def test_a_failing_job_is_logged_and_the_next_job_still_runs(
    build: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    first, second = a_message(), a_message()
    handled: list[str] = []

    async def handler(message: JobMessage) -> JobRun:
        if message == first:
            raise RuntimeError("the report failed")
        handled.append(message.job_id)
        return DONE

    scheduler = await build(handler, concurrency=1)
    await scheduler.enqueue(first)
    await scheduler.enqueue(second)
    await within_two_seconds(scheduler.join())

    assert handled == [second.job_id]
    assert any(first.job_id in r.getMessage() and r.exc_info for r in caplog.records)


async def test_a_job_whose_handler_asks_for_a_retry_runs_again_after_the_delay(
    build: Factory,
) -> None:
    runs: list[tuple[str, float]] = []
    again = asyncio.Event()

    async def handler(message: JobMessage) -> JobRun:
        runs.append((message.job_id, asyncio.get_running_loop().time()))
        if len(runs) == 1:
            return JobRun(JobOutcome.RETRY_LATER, timedelta(seconds=0.2))
        if len(runs) == 3:
            again.set()
        return DONE

    scheduler = await build(handler, concurrency=1)
    first, other = a_message(), a_message()
    await scheduler.enqueue(first)
    await scheduler.enqueue(other)
    await within_two_seconds(again.wait())

    assert [job_id for job_id, _ in runs] == [first.job_id, other.job_id, first.job_id]
    assert runs[2][1] - runs[0][1] >= 0.2


async def test_stop_drops_the_retries_still_waiting(build: Factory) -> None:
    runs: list[str] = []

    async def handler(message: JobMessage) -> JobRun:
        runs.append(message.job_id)
        return JobRun(JobOutcome.RETRY_LATER, timedelta(seconds=0.1))

    scheduler = await build(handler)
    await scheduler.enqueue(a_message())
    await within_two_seconds(scheduler.join())
    await scheduler.stop()
    await asyncio.sleep(0.2)
    assert len(runs) == 1


async def test_a_full_queue_refuses_the_job(build: Factory) -> None:
    busy = asyncio.Event()

    async def handler(message: JobMessage) -> JobRun:
        busy.set()
        await asyncio.Event().wait()
        return DONE

    scheduler = await build(handler, concurrency=1, max_queue=1)
    await scheduler.enqueue(a_message())
    await within_two_seconds(busy.wait())
    await scheduler.enqueue(a_message())

    with pytest.raises(SchedulerUnavailable, match="queue is full"):
        await scheduler.enqueue(a_message())


@pytest.mark.parametrize("call", ["enqueue", "ping"])
async def test_jobs_and_pings_are_refused_before_start_and_after_stop(
    build: Factory, call: str
) -> None:
    scheduler = await build(do_nothing, start=False)

    async def answer() -> None:
        await (scheduler.enqueue(a_message()) if call == "enqueue" else scheduler.ping())

    with pytest.raises(SchedulerUnavailable, match="not running"):
        await answer()
    await scheduler.start()
    await answer()
    await scheduler.stop()
    with pytest.raises(SchedulerUnavailable, match="not running"):
        await answer()


async def test_stop_cancels_a_running_job_and_returns(build: Factory) -> None:
    running, cancelled = asyncio.Event(), asyncio.Event()

    async def handler(message: JobMessage) -> JobRun:
        running.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return DONE

    scheduler = await build(handler)
    await scheduler.enqueue(a_message())
    await within_two_seconds(running.wait())
    await within_two_seconds(scheduler.stop())

    assert cancelled.is_set()


async def test_the_runner_sweeps_at_once_handing_every_queued_job_over_then_periodically(
    build: Factory,
) -> None:
    sweeps: list[bool] = []
    three = asyncio.Event()

    async def sweep(redeliver_all_queued: bool) -> None:
        sweeps.append(redeliver_all_queued)
        if len(sweeps) == 3:
            three.set()

    scheduler = await build(do_nothing, sweep=sweep, sweep_interval=timedelta(seconds=0.05))
    await within_two_seconds(three.wait())
    await scheduler.stop()
    stopped_at = len(sweeps)
    await asyncio.sleep(0.15)

    assert sweeps[:3] == [True, False, False]
    assert len(sweeps) == stopped_at


async def test_a_failing_sweep_is_logged_and_runs_again(
    build: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    calls = 0
    again = asyncio.Event()

    async def sweep(redeliver_all_queued: bool) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            again.set()
        raise RuntimeError("the database is down")

    await build(do_nothing, sweep=sweep, sweep_interval=timedelta(seconds=0.05))
    await within_two_seconds(again.wait())

    assert any("periodic task failed" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("option", ["concurrency", "max_queue"])
async def test_a_runner_needs_room_for_at_least_one_job(build: Factory, option: str) -> None:
    with pytest.raises(ValueError, match=f"{option} must be at least 1"):
        await build(do_nothing, start=False, **{option: 0})


async def test_starting_a_running_runner_again_changes_nothing(build: Factory) -> None:
    handled: list[str] = []

    async def handler(message: JobMessage) -> JobRun:
        handled.append(message.job_id)
        return DONE

    scheduler = await build(handler, concurrency=1)
    await scheduler.start()
    await scheduler.enqueue(a_message())
    await within_two_seconds(scheduler.join())

    assert len(handled) == 1
    assert len([t for t in asyncio.all_tasks() if "job-runner" in t.get_name()]) == 1


async def test_a_retry_that_finds_the_queue_full_is_dropped_with_a_warning(
    build: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    first, blocker, filler = a_message(), asyncio.Event(), a_message()

    async def handler(message: JobMessage) -> JobRun:
        if message == first:
            return JobRun(JobOutcome.RETRY_LATER, timedelta(seconds=0.05))
        await blocker.wait()
        return DONE

    scheduler = await build(handler, concurrency=1, max_queue=1)
    await scheduler.enqueue(first)
    await asyncio.sleep(0.01)  # the runner takes the first job and asks for a retry
    await scheduler.enqueue(a_message())  # the runner takes this one and blocks on it
    await asyncio.sleep(0.01)
    await scheduler.enqueue(filler)  # the queue's one place is taken when the retry is due
    await asyncio.sleep(0.1)
    blocker.set()

    assert f"Job {first.job_id} not retried: the job queue is full." in caplog.messages
