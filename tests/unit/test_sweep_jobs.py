"""The periodic sweep: abandoned jobs, lost queue entries, expired results."""

import logging
from datetime import timedelta

import pytest

from application.jobs.admission import IdempotencyKey, KeyRecord
from application.jobs.policy import JobPolicy, SweepPolicy
from application.jobs.sweep_jobs import SweepJobsUseCase
from domain.job_results import StoredResult
from domain.job_status import JobStatus
from tests.builders import queued_job
from tests.fakes import FakeClock, FakeScheduler, FakeUnitOfWork
from tests.report_fakes import InMemoryResultStore

POLICY = JobPolicy(max_attempts=2)


def sweeper() -> tuple[
    SweepJobsUseCase, FakeUnitOfWork, FakeClock, FakeScheduler, InMemoryResultStore
]:
    uow, clock, scheduler, store = (
        FakeUnitOfWork(),
        FakeClock(),
        FakeScheduler(),
        InMemoryResultStore(),
    )
    use_case = SweepJobsUseCase(
        unit_of_work=uow,
        clock=clock,
        scheduler=scheduler,
        store=store,
        policy=POLICY,
        sweep=SweepPolicy(redeliver_after=timedelta(minutes=5)),
    )
    return use_case, uow, clock, scheduler, store


async def test_running_job_with_an_expired_lease_is_requeued_and_redelivered() -> None:
    use_case, uow, clock, scheduler, _ = sweeper()
    job = queued_job(clock.now())
    job.start(clock.now(), clock.now() + timedelta(seconds=30))
    uow.database.jobs[job.id] = job
    fresh = queued_job(clock.now())
    fresh.start(clock.now(), clock.now() + timedelta(hours=1))
    uow.database.jobs[fresh.id] = fresh
    clock.advance(30)
    summary = await use_case.execute()
    assert summary.requeued == 1
    assert uow.database.jobs[job.id].status is JobStatus.QUEUED
    assert uow.database.jobs[fresh.id].status is JobStatus.RUNNING
    assert [(m.job_id, m.delivery) for m in scheduler.scheduled] == [(job.id, 1)]


async def test_abandoned_job_out_of_attempts_is_failed_with_a_reason() -> None:
    use_case, uow, clock, scheduler, _ = sweeper()
    job = queued_job(clock.now())
    job.start(clock.now(), clock.now())
    job.requeue()
    job.start(clock.now(), clock.now())
    uow.database.jobs[job.id] = job
    summary = await use_case.execute()
    assert summary.failed == 1
    assert uow.database.jobs[job.id].error == "The worker running this job stopped responding."
    assert scheduler.scheduled == []


async def test_abandoned_job_that_fails_loses_the_files_its_dead_runs_left() -> None:
    use_case, uow, clock, _, store = sweeper()
    job = queued_job(clock.now())
    job.start(clock.now(), clock.now())
    job.requeue()
    job.start(clock.now(), clock.now())
    uow.database.jobs[job.id] = job
    store.files = {f"{job.id}.csv": b"1", f"{job.id}.2.csv": b"2", "other.csv": b"3"}
    summary = await use_case.execute()
    assert summary.failed == 1
    assert list(store.files) == ["other.csv"]


async def test_job_queued_too_long_is_handed_to_the_scheduler_again() -> None:
    use_case, uow, clock, scheduler, _ = sweeper()
    old, recent, known = (queued_job(clock.now()) for _ in range(3))
    for job in (old, known):
        uow.database.jobs[job.id] = job
    clock.advance(301)
    recent = queued_job(clock.now())
    uow.database.jobs[recent.id] = recent
    scheduler.already_queued.update((known.id, recent.id))
    summary = await use_case.execute()
    assert summary.redelivered == 1
    assert [(m.job_id, m.delivery) for m in scheduler.scheduled] == [(old.id, 0)]


async def test_a_job_handed_over_again_is_logged_with_its_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="application.jobs.sweep_jobs")
    use_case, uow, clock, _, _ = sweeper()
    job = queued_job(clock.now())
    job.request_id = "abc123"
    uow.database.jobs[job.id] = job
    clock.advance(301)

    await use_case.execute()

    [line] = [r for r in caplog.records if r.getMessage().endswith("to the scheduler again.")]
    assert (getattr(line, "job_id", None), getattr(line, "request_id", None)) == (job.id, "abc123")


async def test_a_job_queued_long_ago_that_waits_for_its_backoff_is_left_to_its_retry() -> None:
    use_case, uow, clock, scheduler, _ = sweeper()
    job = queued_job(clock.now())
    uow.database.jobs[job.id] = job
    clock.advance(600)
    job.start(clock.now(), clock.now() + timedelta(minutes=2))
    job.retry_later(
        "The data source did not answer.", clock.now(), 3, clock.now() + timedelta(seconds=60)
    )
    summary = await use_case.execute()
    assert job.status is JobStatus.QUEUED
    assert summary.redelivered == 0
    assert scheduler.scheduled == []
    clock.advance(61)
    summary = await use_case.execute()
    assert summary.redelivered == 1
    assert [(m.job_id, m.delivery) for m in scheduler.scheduled] == [(job.id, 1)]


async def test_expired_results_are_deleted_and_the_job_remembers_it() -> None:
    use_case, uow, clock, _, store = sweeper()
    kept, expired = queued_job(clock.now()), queued_job(clock.now())
    for job, ttl in ((kept, 3600), (expired, 60)):
        result = StoredResult(f"{job.id}.csv", "f.csv", "text/csv", 3, "0" * 64, 1)
        store.files[result.key] = b"a\n1"
        job.start(clock.now(), clock.now())
        job.succeed(result, clock.now(), clock.now() + timedelta(seconds=ttl))
        uow.database.jobs[job.id] = job
    clock.advance(61)
    summary = await use_case.execute()
    assert summary.expired == 1
    assert list(store.files) == [f"{kept.id}.csv"]
    assert uow.database.jobs[expired.id].result is None
    assert uow.database.jobs[expired.id].status is JobStatus.SUCCEEDED


async def test_idempotency_keys_older_than_24_hours_are_forgotten() -> None:
    use_case, uow, clock, _, _ = sweeper()
    old = KeyRecord(IdempotencyKey("alice", "report-123", "old", "f"), "job-1", clock.now())
    clock.advance(timedelta(hours=23).total_seconds())
    young = KeyRecord(IdempotencyKey("alice", "report-123", "young", "f"), "job-2", clock.now())
    for record in (old, young):
        uow.database.idempotency_keys[record.key.scope] = record
    clock.advance(timedelta(hours=1, seconds=1).total_seconds())

    summary = await use_case.execute()

    assert summary.forgotten_keys == 1
    assert list(uow.database.idempotency_keys) == [young.key.scope]
