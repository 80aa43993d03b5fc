"""EmbeddedJobRunner: runner tasks that take due jobs from the database, woken up or polling."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from adapters.embedded.runner import EmbeddedJobRunner
from application.common.errors import StorageUnavailable
from application.jobs.ports import JobOutcome, JobRun

Factory = Callable[..., Awaitable[EmbeddedJobRunner]]
DONE = JobRun(JobOutcome.SUCCEEDED)
POLL = timedelta(seconds=0.01)


async def nothing_due() -> JobRun | None:
    return None


async def within_two_seconds(awaitable: Awaitable[object]) -> None:
    async with asyncio.timeout(2):
        await awaitable


@pytest.fixture
async def build() -> AsyncIterator[Factory]:
    """Builds runners, started unless ``start=False``; stops every one after the test."""
    runners: list[EmbeddedJobRunner] = []

    async def build(
        run_next: Callable[[], Awaitable[JobRun | None]], *, start: bool = True, **options: Any
    ) -> EmbeddedJobRunner:
        settings: dict[str, Any] = {
            "concurrency": 2,
            "poll_interval": POLL,
            "stop_timeout": timedelta(seconds=1),
        }
        runner = EmbeddedJobRunner(run_next, **(settings | options))
        runners.append(runner)
        if start:
            await runner.start()
        return runner

    yield build
    for runner in runners:
        await runner.stop()


class Queue:
    """Stands for the database: jobs that are due, taken one at a time."""

    def __init__(self, jobs: int) -> None:
        self.left = jobs
        self.running = 0
        self.most_at_once = 0
        self.finished = asyncio.Event()
        self.release = asyncio.Event()
        self.release.set()

    async def run_next(self) -> JobRun | None:
        if self.left == 0:
            return None
        self.left -= 1
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        await self.release.wait()
        self.running -= 1
        if self.left == 0 and self.running == 0:
            self.finished.set()
        return DONE


async def test_runners_take_due_jobs_until_none_is_left(build: Factory) -> None:
    queue = Queue(jobs=10)

    await build(queue.run_next)
    await within_two_seconds(queue.finished.wait())

    assert queue.left == 0


async def test_no_more_jobs_run_at_once_than_the_concurrency(build: Factory) -> None:
    queue = Queue(jobs=6)
    queue.release.clear()

    await build(queue.run_next, concurrency=3)
    await asyncio.sleep(0.05)  # room for a fourth job to start, were it allowed to
    assert queue.most_at_once == 3
    queue.release.set()
    await within_two_seconds(queue.finished.wait())


async def test_an_idle_runner_looks_again_every_poll_interval(build: Factory) -> None:
    looks = 0

    async def run_next() -> JobRun | None:
        nonlocal looks
        looks += 1
        return None

    await build(run_next, concurrency=1)
    await asyncio.sleep(POLL.total_seconds() * 10)

    assert 3 <= looks <= 15


async def test_a_database_that_does_not_answer_or_a_bug_does_not_stop_the_runner(
    build: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    outcomes: list[object] = [StorageUnavailable("The database is unavailable."), RuntimeError()]
    recovered = asyncio.Event()

    async def run_next() -> JobRun | None:
        if outcomes:
            raise outcomes.pop(0)  # type: ignore[misc]
        recovered.set()
        return None

    await build(run_next, concurrency=1)
    await within_two_seconds(recovered.wait())

    assert "The job runner waits: The database is unavailable." in caplog.messages
    assert any(r.exc_info for r in caplog.records if "carries on" in r.getMessage())


async def test_stop_cancels_a_running_job_and_returns(build: Factory) -> None:
    running, cancelled = asyncio.Event(), asyncio.Event()

    async def run_next() -> JobRun | None:
        running.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return DONE

    runner = await build(run_next, concurrency=1)
    await within_two_seconds(running.wait())
    await within_two_seconds(runner.stop())

    assert cancelled.is_set()


async def test_a_runner_needs_room_for_at_least_one_job(build: Factory) -> None:
    with pytest.raises(ValueError, match="concurrency must be at least 1"):
        await build(nothing_due, start=False, concurrency=0)


async def test_starting_a_running_runner_again_changes_nothing(build: Factory) -> None:
    runner = await build(nothing_due, concurrency=2)
    await runner.start()

    assert len([t for t in asyncio.all_tasks() if "job-runner" in t.get_name()]) == 2


class Looks:
    """Stands for an empty database; counts the looks and signals each one."""

    def __init__(self) -> None:
        self.count = 0
        self.looked = asyncio.Event()

    async def run_next(self) -> JobRun | None:
        self.count += 1
        self.looked.set()
        return None

    async def next_look(self) -> None:
        self.looked.clear()
        await within_two_seconds(self.looked.wait())


async def test_a_wake_up_makes_an_idle_runner_look_before_its_next_poll(build: Factory) -> None:
    looks = Looks()
    runner = await build(looks.run_next, concurrency=1, poll_interval=timedelta(minutes=10))
    await looks.next_look()  # the first look, at the start; the next poll is minutes away

    runner.wake()
    await looks.next_look()

    assert runner.running


async def test_after_a_wake_up_that_found_nothing_the_runner_looks_again_soon_then_polls(
    build: Factory,
) -> None:
    # The wake-up comes before the commit of the new jobs ends: one look is not enough.
    looks = Looks()
    runner = await build(looks.run_next, concurrency=1, poll_interval=timedelta(seconds=0.3))
    await looks.next_look()
    looks.count = 0

    runner.wake()
    await asyncio.sleep(0.25)  # within one poll interval of the wake-up

    assert looks.count >= 3


async def test_a_runner_stopped_is_not_running(build: Factory) -> None:
    runner = await build(nothing_due)
    assert runner.running

    await runner.stop()

    assert not runner.running
