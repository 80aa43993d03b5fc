"""Waiting for a job and following it, with a fake feed: woken by announcements, not polls."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from application.jobs.change_ports import JobChange
from application.jobs.follow_job import FollowJobQuery, FollowJobUseCase
from application.jobs.wait_for_job import WaitForJobQuery, WaitForJobUseCase
from domain.errors import JobNotFound
from domain.job_results import StoredResult
from domain.job_status import JobStatus
from domain.jobs import Job
from tests.builders import analyst, queued_job
from tests.fakes import FakeJobChangeFeed, FakeUnitOfWork

ALICE, BOB = analyst("alice"), analyst("bob")
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
RESULT = StoredResult("k.csv", "report-123-k.csv", "text/csv", 10, "ab" * 32, 2)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def feed() -> FakeJobChangeFeed:
    return FakeJobChangeFeed()


def stored(uow: FakeUnitOfWork, job: Job) -> Job:
    uow.database.jobs[job.id] = job
    return job


async def watched(feed: FakeJobChangeFeed, job: Job) -> None:
    """Return once someone watches ``job``."""
    while job.id not in feed.watchers:  # noqa: ASYNC110 - the fake feed has no event for it
        await asyncio.sleep(0.001)


async def change(uow: FakeUnitOfWork, feed: FakeJobChangeFeed, job: Job, move: str) -> None:
    """Wait until someone watches ``job``, then move it and announce the move."""
    await watched(feed, job)
    if move == "start":
        job.start(NOW, NOW + timedelta(minutes=2))
    elif move == "progress":
        job.record_progress(job.rows_written + 500, None, NOW + timedelta(minutes=2))
    elif move == "succeed":
        job.succeed(RESULT, NOW, NOW + timedelta(days=1))
    uow.database.jobs[job.id] = job
    await feed.announce([JobChange(job.id, job.status, job.rows_written)])


async def test_a_waiter_is_answered_as_soon_as_the_job_ends_after_two_reads_and_a_third(
    uow: FakeUnitOfWork, feed: FakeJobChangeFeed
) -> None:
    job = queued_job(NOW)
    job.start(NOW, NOW + timedelta(minutes=2))
    stored(uow, job)
    wait = WaitForJobUseCase(unit_of_work=uow, changes=feed)
    ending = asyncio.create_task(change(uow, feed, job, "succeed"))
    answer = await asyncio.wait_for(
        wait.execute(WaitForJobQuery(ALICE, job.id, timedelta(seconds=30))), 5
    )
    await ending
    assert answer.status is JobStatus.SUCCEEDED
    assert uow.transactions == 3  # before the watch, at its start, after the end: no polling
    assert feed.watchers == {}


async def test_a_change_that_is_not_the_end_keeps_the_waiter_waiting_without_reading(
    uow: FakeUnitOfWork, feed: FakeJobChangeFeed
) -> None:
    job = stored(uow, queued_job(NOW))
    wait = WaitForJobUseCase(unit_of_work=uow, changes=feed)
    starting = asyncio.create_task(change(uow, feed, job, "start"))
    answer = await wait.execute(WaitForJobQuery(ALICE, job.id, timedelta(seconds=0.3)))
    await starting
    assert answer.status is JobStatus.RUNNING  # read again once the wait was over
    assert uow.transactions == 3


async def test_a_job_already_ended_is_answered_without_watching(
    uow: FakeUnitOfWork, feed: FakeJobChangeFeed
) -> None:
    job = queued_job(NOW)
    job.cancel(NOW)
    stored(uow, job)
    wait = WaitForJobUseCase(unit_of_work=uow, changes=feed)
    answer = await wait.execute(WaitForJobQuery(ALICE, job.id, timedelta(seconds=30)))
    assert answer.status is JobStatus.CANCELLED
    assert feed.watches == 0


async def test_another_callers_job_is_not_found_before_any_wait(
    uow: FakeUnitOfWork, feed: FakeJobChangeFeed
) -> None:
    job = stored(uow, queued_job(NOW))
    wait = WaitForJobUseCase(unit_of_work=uow, changes=feed)
    with pytest.raises(JobNotFound):
        await wait.execute(WaitForJobQuery(BOB, job.id, timedelta(seconds=30)))
    assert feed.watches == 0


async def test_following_yields_each_change_once_and_ends_with_the_end(
    uow: FakeUnitOfWork, feed: FakeJobChangeFeed
) -> None:
    job = stored(uow, queued_job(NOW))
    follow = FollowJobUseCase(unit_of_work=uow, changes=feed)
    states = await follow.execute(FollowJobQuery(ALICE, job.id))

    async def drive() -> None:
        for move in ("start", "progress", "progress", "succeed"):
            await change(uow, feed, job, move)
            await asyncio.sleep(0.01)

    driving = asyncio.create_task(drive())
    seen = [(s.status, s.rows_written) async for s in states if s is not None]
    await driving
    assert seen == [
        (JobStatus.QUEUED, 0),
        (JobStatus.RUNNING, 0),
        (JobStatus.RUNNING, 500),
        (JobStatus.RUNNING, 1000),
        (JobStatus.SUCCEEDED, RESULT.row_count),
    ]
    assert feed.watchers == {}


async def test_a_heartbeat_that_moved_nothing_is_neither_read_nor_yielded(
    uow: FakeUnitOfWork, feed: FakeJobChangeFeed
) -> None:
    job = queued_job(NOW)
    job.start(NOW, NOW + timedelta(minutes=2))
    stored(uow, job)
    follow = FollowJobUseCase(unit_of_work=uow, changes=feed)
    states = await follow.execute(FollowJobQuery(ALICE, job.id, idle=timedelta(seconds=5)))
    assert (await anext(states)).status is JobStatus.RUNNING  # type: ignore[union-attr]
    pending = asyncio.ensure_future(anext(states))
    await change(uow, feed, job, "none")  # announced, but the same status and rows
    reads = uow.transactions
    await asyncio.sleep(0.05)
    assert not pending.done()
    assert uow.transactions == reads
    await change(uow, feed, job, "succeed")
    assert (await asyncio.wait_for(pending, 5)).status is JobStatus.SUCCEEDED  # type: ignore[union-attr]
    await states.aclose()


async def test_a_quiet_job_yields_none_after_idle_and_reads_once(
    uow: FakeUnitOfWork, feed: FakeJobChangeFeed
) -> None:
    job = stored(uow, queued_job(NOW))
    follow = FollowJobUseCase(unit_of_work=uow, changes=feed)
    states = await follow.execute(FollowJobQuery(ALICE, job.id, idle=timedelta(seconds=0.05)))
    assert (await anext(states)) is not None
    assert await asyncio.wait_for(anext(states), 5) is None
    await states.aclose()
    assert feed.watchers == {}


async def test_a_lost_announcement_is_caught_up_after_idle(
    uow: FakeUnitOfWork, feed: FakeJobChangeFeed
) -> None:
    job = stored(uow, queued_job(NOW))
    follow = FollowJobUseCase(unit_of_work=uow, changes=feed)
    states = await follow.execute(FollowJobQuery(ALICE, job.id, idle=timedelta(seconds=0.05)))
    await anext(states)
    job.cancel(NOW)  # recorded, never announced
    last = await asyncio.wait_for(anext(states), 5)
    assert last is not None
    assert last.status is JobStatus.CANCELLED
    with pytest.raises(StopAsyncIteration):
        await anext(states)


async def stop_watching_once_watched(feed: FakeJobChangeFeed, job: Job) -> None:
    """Wait until someone watches ``job``, then stop the process's watches."""
    await watched(feed, job)
    feed.stop_watching()


async def test_a_wait_ends_at_once_with_the_job_as_it_is_when_the_process_stops(
    uow: FakeUnitOfWork, feed: FakeJobChangeFeed
) -> None:
    job = queued_job(NOW)
    job.start(NOW, NOW + timedelta(minutes=2))
    stored(uow, job)
    wait = WaitForJobUseCase(unit_of_work=uow, changes=feed)
    stopping = asyncio.create_task(stop_watching_once_watched(feed, job))
    answer = await asyncio.wait_for(
        wait.execute(WaitForJobQuery(ALICE, job.id, timedelta(seconds=30))), 5
    )
    await stopping
    assert answer.status is JobStatus.RUNNING
    assert feed.watchers == {}
    # A wait asked for once the process is stopping does not hold either.
    again = await asyncio.wait_for(
        wait.execute(WaitForJobQuery(ALICE, job.id, timedelta(seconds=30))), 5
    )
    assert again.status is JobStatus.RUNNING


async def test_following_ends_before_the_job_when_the_process_stops_with_what_changed(
    uow: FakeUnitOfWork, feed: FakeJobChangeFeed
) -> None:
    job = stored(uow, queued_job(NOW))
    follow = FollowJobUseCase(unit_of_work=uow, changes=feed)
    states = await follow.execute(FollowJobQuery(ALICE, job.id, idle=timedelta(seconds=30)))
    assert (await anext(states)).status is JobStatus.QUEUED  # type: ignore[union-attr]
    pending = asyncio.ensure_future(anext(states))
    await watched(feed, job)
    job.start(NOW, NOW + timedelta(minutes=2))  # recorded, not yet announced
    feed.stop_watching()
    last = await asyncio.wait_for(pending, 5)
    assert last is not None
    assert last.status is JobStatus.RUNNING  # the state the caller resumes from
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(anext(states), 5)
    assert feed.watchers == {}


async def test_following_a_job_that_did_not_move_ends_without_repeating_it_on_stop(
    uow: FakeUnitOfWork, feed: FakeJobChangeFeed
) -> None:
    job = stored(uow, queued_job(NOW))
    follow = FollowJobUseCase(unit_of_work=uow, changes=feed)
    states = await follow.execute(FollowJobQuery(ALICE, job.id, idle=timedelta(seconds=30)))
    await anext(states)
    stopping = asyncio.create_task(stop_watching_once_watched(feed, job))
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(anext(states), 5)
    await stopping
