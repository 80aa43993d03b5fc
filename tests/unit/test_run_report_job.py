"""The job handler with fakes for every port: claim, deliveries, outcomes, leases."""

from datetime import timedelta

import pytest

from application.common.errors import DataSourceUnavailable, ReportQueryFailed
from application.jobs.policy import JobPolicy
from application.jobs.ports import JobMessage, JobOutcome, JobRun
from application.jobs.report_file_maker import ReportFileMaker
from application.jobs.run_report_job import RunReportJobUseCase
from domain.job_status import JobStatus
from domain.jobs import Job
from tests.builders import queued_job, report
from tests.fakes import FakeClock, FakeUnitOfWork
from tests.report_fakes import FakeRenderer, FakeReportQueries, InMemoryResultStore

POLICY = JobPolicy(heartbeat_interval=timedelta(0), max_attempts=3)
ROWS = [(n, n * 10) for n in range(25)]


class World:
    def __init__(self) -> None:
        self.clock = FakeClock()
        self.uow = FakeUnitOfWork()
        self.uow.database.reports["report-123"] = report()
        self.queries = FakeReportQueries(list(ROWS))
        self.store = InMemoryResultStore()
        maker = ReportFileMaker(self.queries, FakeRenderer(), self.store, batch_rows=10)
        self.use_case = RunReportJobUseCase(
            unit_of_work=self.uow, clock=self.clock, file_maker=maker, policy=POLICY
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


async def test_permanent_failure_fails_at_once_with_its_safe_reason(world: World) -> None:
    world.queries.failure = ReportQueryFailed("The report's query failed: no such column: amout")
    assert await world.run() is JobOutcome.FAILED
    assert world.stored.error == "The report's query failed: no such column: amout"
    assert world.stored.attempts == 1
    assert world.store.files == {}


async def test_unexpected_error_fails_the_job_without_details(world: World) -> None:
    world.queries.failure = ZeroDivisionError("division by zero in /srv/secret.py")
    assert await world.run() is JobOutcome.FAILED
    assert world.stored.error == "The report could not be generated (internal error)."


async def test_cancellation_mid_run_stops_at_the_next_batch_and_keeps_no_file(
    world: World,
) -> None:
    async def cancel_after_first_batch(number: int) -> None:
        if number == 1:
            stored = world.uow.database.jobs[world.job.id]
            stored.cancel(world.clock.now())

    world.queries.before_batch = cancel_after_first_batch
    assert await world.run() is JobOutcome.CANCELLED
    assert world.stored.status is JobStatus.CANCELLED
    assert world.store.files == {}
    assert world.stored.rows_written <= 20


async def test_progress_is_recorded_with_a_percentage_and_renews_the_lease(world: World) -> None:
    seen: list[tuple[int, float | None]] = []

    async def watch(number: int) -> None:
        stored = world.uow.database.jobs[world.job.id]
        seen.append((stored.rows_written, stored.progress_percent))
        world.clock.advance(1)

    world.queries.before_batch = watch
    await world.run()
    assert seen == [(0, None), (10, 40.0), (20, 80.0)]


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


async def test_claim_and_report_are_read_in_one_transaction(world: World) -> None:
    assert await world.run() is JobOutcome.SUCCEEDED
    # One transaction claims the job and reads its report, one records the outcome;
    # the heartbeat records progress in between, once per batch here.
    batches = -(-len(ROWS) // 10)
    assert world.uow.transactions == 1 + batches + 1


async def test_store_that_does_not_answer_is_a_transient_failure(world: World) -> None:
    world.store.fail = True
    run = await world.use_case.execute(world.message())
    assert run.outcome is JobOutcome.RETRY_LATER
    assert world.stored.status is JobStatus.QUEUED
    world.store.fail = False
    assert await world.run() is JobOutcome.SUCCEEDED
