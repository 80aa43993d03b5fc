"""A run its worker stops (its task cancelled) gives the job back to the queue."""

import asyncio

import pytest

from application.jobs.ports import JobOutcome
from domain.job_status import JobStatus
from tests.unit.test_run_report_job import World


@pytest.fixture
def world() -> World:
    return World()


async def test_a_run_cancelled_by_its_stopping_worker_gives_the_job_back_queued(
    world: World,
) -> None:
    reached, never = asyncio.Event(), asyncio.Event()

    async def hold_at_second_batch(number: int) -> None:
        if number == 1:
            reached.set()
            await never.wait()

    world.queries.before_batch = hold_at_second_batch
    run = asyncio.create_task(world.run())
    await asyncio.wait_for(reached.wait(), timeout=5)
    assert world.stored.status is JobStatus.RUNNING

    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run

    job = world.stored
    assert job.status is JobStatus.QUEUED
    assert job.lease_expires_at is None
    assert job.rows_written == 0
    assert job.is_due(world.clock.now())
    assert world.store.files == {}

    world.queries.before_batch = None
    assert await world.run() is JobOutcome.SUCCEEDED
    assert world.stored.attempts == 2
