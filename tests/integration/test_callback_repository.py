"""Callbacks and their deliveries on a real SQLite file and a real PostgreSQL database."""

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from domain.callbacks import Callback, CallbackState, DeliveryOutcome, DeliveryResult
from domain.job_status import JobStatus
from domain.jobs import Job
from tests.builders import queued_job

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
HOLD = NOW + timedelta(seconds=30)


def with_callback(*, finished: bool = True) -> Job:
    job = queued_job(NOW)
    job.callback = Callback(url="https://hooks.example.com/x", status_url="https://r/jobs/1")
    if finished:
        job.cancel(NOW)
    return job


async def add(engine: AsyncEngine, *jobs: Job) -> None:
    async with SqlAlchemyUnitOfWork(engine) as uow:
        await uow.jobs.add(*jobs)
        await uow.commit()


async def claim(engine: AsyncEngine, job_id: str, now: datetime = NOW) -> Job | None:
    async with SqlAlchemyUnitOfWork(engine) as uow:
        job = await uow.callbacks.claim(job_id, now, now + timedelta(seconds=30))
        await uow.commit()
    return job


async def test_a_callback_is_stored_with_its_job_and_a_job_save_leaves_it_alone(
    engine: AsyncEngine,
) -> None:
    job = with_callback(finished=False)
    await add(engine, job)
    job.start(NOW, NOW + timedelta(minutes=1))
    async with SqlAlchemyUnitOfWork(engine) as uow:
        assert await uow.jobs.save(job, if_status=JobStatus.QUEUED)
        await uow.commit()
        stored = await uow.jobs.get(job.id)
    assert stored is not None
    assert stored.callback == job.callback


async def test_only_finished_due_pending_callbacks_are_claimed_and_only_once(
    engine: AsyncEngine,
) -> None:
    finished, running, plain = with_callback(), with_callback(finished=False), queued_job(NOW)
    plain.cancel(NOW)
    await add(engine, finished, running, plain)
    async with SqlAlchemyUnitOfWork(engine) as uow:
        assert await uow.callbacks.due(NOW, 10) == [finished.id]
    claims = await asyncio.gather(*(claim(engine, finished.id) for _ in range(3)))
    claimed = [job for job in claims if job is not None]
    assert len(claimed) == 1
    assert claimed[0].callback is not None
    assert claimed[0].callback.due_at == HOLD
    assert await claim(engine, running.id) is None
    assert await claim(engine, plain.id) is None
    async with SqlAlchemyUnitOfWork(engine) as uow:
        assert await uow.callbacks.due(NOW, 10) == []
        assert await uow.callbacks.due(HOLD, 10) == [finished.id]


async def test_attempts_are_recorded_in_order_and_a_stale_one_is_not(engine: AsyncEngine) -> None:
    job = with_callback()
    await add(engine, job)
    claimed = await claim(engine, job.id)
    assert claimed is not None
    assert claimed.callback is not None
    callback = claimed.callback
    first = callback.record(job.id, DeliveryResult(status_code=503), NOW)
    second_try = Callback(url=callback.url, status_url=callback.status_url)
    async with SqlAlchemyUnitOfWork(engine) as uow:
        assert await uow.callbacks.record(job.id, callback, first)
        # Another process that also thought it made attempt 1: fenced off.
        assert not await uow.callbacks.record(
            job.id, second_try, second_try.record(job.id, DeliveryResult(status_code=200), NOW)
        )
        await uow.commit()
    later = NOW + timedelta(seconds=5)
    again = await claim(engine, job.id, later)
    assert again is not None
    assert again.callback is not None
    assert again.callback.attempts == 1
    second = again.callback.record(job.id, DeliveryResult(status_code=204), later)
    async with SqlAlchemyUnitOfWork(engine) as uow:
        assert await uow.callbacks.record(job.id, again.callback, second)
        await uow.commit()
        deliveries = await uow.callbacks.deliveries(job.id)
        stored = await uow.jobs.get(job.id)
    assert [(d.attempt, d.status_code, d.outcome) for d in deliveries] == [
        (1, 503, DeliveryOutcome.FAILED),
        (2, 204, DeliveryOutcome.DELIVERED),
    ]
    assert deliveries[0].next_attempt_at == later
    assert deliveries[0].attempted_at == NOW
    assert deliveries[0].webhook_id == deliveries[1].webhook_id
    assert stored is not None
    assert stored.callback is not None
    assert (stored.callback.state, stored.callback.attempts) == (CallbackState.DELIVERED, 2)
