"""The job handler with fakes for every port: claim, deliveries, outcomes, leases."""

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from application.common.errors import DataSourceUnavailable, ReportQueryFailed
from application.jobs.policy import JobPolicy
from application.jobs.ports import JobMessage, JobOutcome, JobRun
from application.jobs.report_file_maker import ReportFileMaker
from application.jobs.run_report_job import RunReportJobUseCase
from domain.job_status import JobStatus
from domain.jobs import Job
from domain.report_limits import ReportLimits
from tests.builders import queued_job, report
from tests.fakes import FakeClock, FakeUnitOfWork
from tests.report_fakes import FakeRenderer, FakeReportQueries, InMemoryResultStore

POLICY = JobPolicy(heartbeat_interval=timedelta(seconds=0.01), max_attempts=3)
ROWS = [(n, n * 10) for n in range(25)]


class World:
    def __init__(self, policy: JobPolicy = POLICY) -> None:
        self.clock = FakeClock()
        self.uow = FakeUnitOfWork()
        self.uow.database.reports["report-123"] = report()
        self.queries = FakeReportQueries(list(ROWS))
        self.store = InMemoryResultStore()
        maker = ReportFileMaker(self.queries, FakeRenderer(), self.store, batch_rows=10)
        self.use_case = RunReportJobUseCase(
            unit_of_work=self.uow, clock=self.clock, file_maker=maker, policy=policy
        )
        self.job = queued_job(self.clock.now())
        self.uow.database.jobs[self.job.id] = self.job

    def message(self, job_id: str | None = None) -> JobMessage:
        return JobMessage(job_id or self.job.id, self.clock.now())

    async def run(self, job_id: str | None = None) -> JobOutcome:
        return (await self.use_case.execute(self.message(job_id))).outcome

    @property
    def stored(self) -> Job:
        return self.uow.database.jobs[self.job.id]


async def next_heartbeat(world: World, lease: datetime | None) -> None:
    """Wait (at most five seconds) until the stored job's lease is no longer ``lease``."""
    for _ in range(1000):
        if world.stored.lease_expires_at != lease:
            return
        await asyncio.sleep(0.005)
    raise AssertionError("The job's lease was not renewed.")


@pytest.fixture
def world() -> World:
    return World()


async def test_queued_job_runs_to_success_with_its_file_described(world: World) -> None:
    assert await world.run() is JobOutcome.SUCCEEDED
    job = world.stored
    assert job.status is JobStatus.SUCCEEDED
    assert job.attempts == 1
    assert job.result is not None
    content = world.store.files[job.result.key]
    assert content.startswith(b"id,amount\n0,0\n")
    assert content.count(b"\n") == 1 + len(ROWS) + 1
    assert (job.result.size_bytes, job.result.row_count) == (len(content), len(ROWS))
    assert job.result.key == f"{job.id}.csv"
    assert job.result.file_name == f"report-123-{job.id[:8]}.csv"
    assert job.expires_at == world.clock.now() + POLICY.result_ttl
    assert world.queries.calls == [{}]


async def test_second_delivery_of_a_finished_job_does_nothing(world: World) -> None:
    await world.run()
    files = dict(world.store.files)
    assert await world.run() is JobOutcome.ALREADY_HANDLED
    assert world.store.files == files
    assert world.stored.attempts == 1


async def test_delivery_while_another_worker_holds_the_lease_does_nothing(world: World) -> None:
    world.job.start(world.clock.now(), world.clock.now() + POLICY.lease)
    assert await world.run() is JobOutcome.ALREADY_HANDLED
    assert world.queries.calls == []


async def test_job_without_a_row_is_retried_then_dropped_after_the_grace_period(
    world: World,
) -> None:
    message = JobMessage("5b0c5a0e-0000-4000-8000-000000000000", world.clock.now())
    run = await world.use_case.execute(message)
    assert run.outcome is JobOutcome.RETRY_LATER
    assert run.retry_in == POLICY.missing_row_retry
    world.clock.advance(POLICY.row_grace_period.total_seconds())
    assert (await world.use_case.execute(message)).outcome is JobOutcome.DROPPED
    assert world.queries.calls == []


async def test_transient_failure_requeues_with_backoff_then_succeeds(world: World) -> None:
    world.queries.failure = DataSourceUnavailable("The data source did not answer.")
    run = await world.use_case.execute(world.message())
    assert run.outcome is JobOutcome.RETRY_LATER
    assert run.retry_in == POLICY.first_retry
    assert world.stored.status is JobStatus.QUEUED
    assert world.store.files == {}
    assert world.store.abandoned == 1
    world.queries.failure = None
    assert await world.run() is JobOutcome.SUCCEEDED
    assert world.stored.attempts == 2


async def test_transient_failures_give_up_after_max_attempts(world: World) -> None:
    world.queries.failure = DataSourceUnavailable("The data source did not answer.")
    outcomes = [await world.run() for _ in range(POLICY.max_attempts)]
    assert outcomes == [JobOutcome.RETRY_LATER] * 2 + [JobOutcome.FAILED]
    assert world.stored.status is JobStatus.FAILED
    assert world.stored.error == "The data source did not answer. Gave up after 3 attempts."


async def test_permanent_failure_fails_at_once_with_its_safe_reason(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.queries.failure = ReportQueryFailed(
        "The data source 'demo' refused the report's query.", detail="no such column: amout"
    )
    assert await world.run() is JobOutcome.FAILED
    assert world.stored.error == "The data source 'demo' refused the report's query."
    assert f"Job {world.job.id}" in caplog.text
    assert "no such column: amout" in caplog.text
    assert world.stored.attempts == 1
    assert world.store.files == {}


async def test_unexpected_error_fails_the_job_without_details(world: World) -> None:
    world.queries.failure = ZeroDivisionError("division by zero in /srv/secret.py")
    assert await world.run() is JobOutcome.FAILED
    assert world.stored.error == "The report could not be generated (internal error)."


async def test_cancellation_mid_run_stops_the_query_and_keeps_no_file(world: World) -> None:
    async def cancel_after_first_batch(number: int) -> None:
        if number == 1:
            world.uow.database.jobs[world.job.id].cancel(world.clock.now())
            await asyncio.Event().wait()  # the query goes on computing its next batch

    world.queries.before_batch = cancel_after_first_batch
    assert await world.run() is JobOutcome.CANCELLED
    assert world.stored.status is JobStatus.CANCELLED
    assert world.store.files == {}
    assert world.store.abandoned == 1


async def test_progress_records_rows_written_and_renews_the_lease(world: World) -> None:
    seen: list[tuple[int, float | None]] = []

    async def watch(number: int) -> None:
        lease = world.stored.lease_expires_at
        world.clock.advance(1)
        await next_heartbeat(world, lease)
        seen.append((world.stored.rows_written, world.stored.progress_percent))

    world.queries.before_batch = watch
    assert await world.run() is JobOutcome.SUCCEEDED
    assert seen == [(0, None), (10, None), (20, None)]
    assert (world.stored.rows_written, world.stored.progress_percent) == (25, 100.0)


async def test_lease_is_renewed_while_the_query_returns_no_rows(world: World) -> None:
    started = asyncio.Event()
    first_lease = []

    async def compute_for_a_long_time(number: int) -> None:
        first_lease.append(world.stored.lease_expires_at)
        started.set()
        await asyncio.Event().wait()

    world.queries.before_batch = compute_for_a_long_time
    running = asyncio.create_task(world.run())
    await asyncio.wait_for(started.wait(), 5)
    world.clock.advance(POLICY.lease.total_seconds() - 1)
    await next_heartbeat(world, first_lease[0])
    assert world.stored.lease_expires_at == world.clock.now() + POLICY.lease
    world.stored.cancel(world.clock.now())
    assert await asyncio.wait_for(running, 5) is JobOutcome.CANCELLED


async def test_job_past_its_runtime_limit_is_stopped_and_fails(world: World) -> None:
    async def compute_for_ever(number: int) -> None:
        world.clock.advance(POLICY.runtime_limit.total_seconds())
        await asyncio.Event().wait()

    world.queries.before_batch = compute_for_ever
    assert await asyncio.wait_for(world.run(), 5) is JobOutcome.FAILED
    assert world.stored.error == "The report ran longer than 3600 s."
    assert world.store.files == {}


async def test_report_past_its_row_limit_fails_and_keeps_no_file(world: World) -> None:
    limited = replace(report(), limits=ReportLimits(max_rows=20))
    world.uow.database.reports["report-123"] = limited
    assert await world.run() is JobOutcome.FAILED
    assert world.stored.error == "The report has more than 20 rows, its limit."
    assert (world.store.files, world.store.abandoned) == ({}, 1)


async def test_report_of_exactly_its_row_limit_succeeds(world: World) -> None:
    world.uow.database.reports["report-123"] = replace(report(), limits=ReportLimits(max_rows=25))
    assert await world.run() is JobOutcome.SUCCEEDED


async def test_report_past_its_byte_limit_fails_and_keeps_no_file(world: World) -> None:
    world.uow.database.reports["report-123"] = replace(report(), limits=ReportLimits(max_bytes=50))
    assert await world.run() is JobOutcome.FAILED
    assert world.stored.error == "The report's file is larger than 50 bytes, its limit."
    assert world.store.files == {}


async def test_operator_ceiling_bounds_a_reports_own_query_timeout() -> None:
    world = World(replace(POLICY, query_timeout=timedelta(seconds=30)))
    world.uow.database.reports["report-123"] = replace(
        report(), limits=ReportLimits(timeout_seconds=600.0)
    )
    assert await world.run() is JobOutcome.SUCCEEDED
    world.job = queued_job(world.clock.now())
    world.uow.database.jobs[world.job.id] = world.job
    world.uow.database.reports["report-123"] = replace(
        report(), limits=ReportLimits(timeout_seconds=5.0)
    )
    assert await world.run() is JobOutcome.SUCCEEDED
    assert world.queries.timeouts == [30.0, 5.0]


async def test_job_whose_worker_died_is_taken_up_again_after_its_lease(world: World) -> None:
    world.job.start(world.clock.now(), world.clock.now() + POLICY.lease)
    world.clock.advance(POLICY.lease.total_seconds())
    assert await world.run() is JobOutcome.SUCCEEDED
    assert world.stored.attempts == 2


async def test_abandoned_job_out_of_attempts_fails_with_a_reason(world: World) -> None:
    for _ in range(POLICY.max_attempts):
        world.job.start(world.clock.now(), world.clock.now() + POLICY.lease)
        world.job.requeue()
    world.job.start(world.clock.now(), world.clock.now())
    assert await world.run() is JobOutcome.FAILED
    assert world.stored.error == "The worker running this job stopped responding."


async def test_job_of_a_deleted_report_fails(world: World) -> None:
    del world.uow.database.reports["report-123"]
    assert await world.run() is JobOutcome.FAILED
    assert world.stored.error == "The report no longer exists."


async def test_delivery_that_finds_the_database_down_is_delivered_again_later(
    world: World,
) -> None:
    world.uow.fail_on_commit = True
    run = await world.use_case.execute(world.message())
    assert run == JobRun(JobOutcome.RETRY_LATER, POLICY.storage_retry)
    assert world.stored.status is JobStatus.QUEUED
    world.uow.fail_on_commit = False
    assert await world.run() is JobOutcome.SUCCEEDED


async def test_claim_and_report_are_read_in_one_transaction() -> None:
    world = World(replace(POLICY, heartbeat_interval=timedelta(hours=1)))
    assert await world.run() is JobOutcome.SUCCEEDED
    # One transaction claims the job and reads its report, one records the outcome
    # (no heartbeat is due within a run this short).
    assert world.uow.transactions == 1 + 1


async def test_store_that_does_not_answer_is_a_transient_failure(world: World) -> None:
    world.store.fail = True
    run = await world.use_case.execute(world.message())
    assert run.outcome is JobOutcome.RETRY_LATER
    assert world.stored.status is JobStatus.QUEUED
    world.store.fail = False
    assert await world.run() is JobOutcome.SUCCEEDED
