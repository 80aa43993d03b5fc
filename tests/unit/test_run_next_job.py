"""RunNextJobUseCase with fakes: the embedded mode's queue is the job records themselves."""

import copy
from datetime import datetime, timedelta

from application.jobs.policy import JobPolicy
from application.jobs.ports import JobOutcome
from application.jobs.report_file_maker import ReportFileMaker
from application.jobs.run_next_job import RunNextJobUseCase
from application.jobs.run_report_job import RunReportJobUseCase
from domain.job_status import JobStatus
from domain.jobs import Job
from tests.builders import queued_job, report
from tests.fakes import FakeClock, FakeUnitOfWork
from tests.report_fakes import FakeRenderer, FakeReportQueries, InMemoryResultStore


class World:
    def __init__(self, uow: FakeUnitOfWork | None = None) -> None:
        self.clock, self.uow = FakeClock(), uow or FakeUnitOfWork()
        self.uow.database.reports["report-123"] = report()
        maker = ReportFileMaker(
            FakeReportQueries([(1, 10)]), FakeRenderer(), InMemoryResultStore(), batch_rows=10
        )

        def run_job() -> RunReportJobUseCase:
            return RunReportJobUseCase(
                unit_of_work=self.uow, clock=self.clock, file_maker=maker, policy=JobPolicy()
            )

        self.use_case = RunNextJobUseCase(
            unit_of_work=self.uow, clock=self.clock, run_job=run_job, look_ahead=3
        )

    def add(self, job: Job) -> Job:
        self.uow.database.jobs[job.id] = job
        return job

    def status(self, job: Job) -> JobStatus:
        return self.uow.database.jobs[job.id].status


async def test_the_oldest_due_job_runs_first_and_none_is_taken_when_none_is_due() -> None:
    world = World()
    older = world.add(queued_job(world.clock.now()))
    world.clock.advance(1)
    newer = world.add(queued_job(world.clock.now()))

    first = await world.use_case.execute()

    assert first is not None
    assert first.outcome is JobOutcome.SUCCEEDED
    assert (world.status(older), world.status(newer)) == (JobStatus.SUCCEEDED, JobStatus.QUEUED)
    assert await world.use_case.execute() is not None
    assert await world.use_case.execute() is None


async def test_a_job_waiting_for_its_backoff_is_not_taken_before_it_is_due() -> None:
    world = World()
    job = queued_job(world.clock.now())
    job.start(world.clock.now(), world.clock.now() + timedelta(minutes=2))
    job.retry_later("Down.", world.clock.now(), 3, due_at=world.clock.now() + timedelta(seconds=5))
    world.add(job)

    assert await world.use_case.execute() is None
    world.clock.advance(5)
    assert await world.use_case.execute() is not None
    assert world.status(job) is JobStatus.SUCCEEDED


class ReadBeforeAClaim(FakeUnitOfWork):
    """Lists ``listed`` as due, as read just before another worker claimed it."""

    def __init__(self, listed: Job) -> None:
        super().__init__()
        self.listed = listed

    async def __aenter__(self) -> "ReadBeforeAClaim":
        await super().__aenter__()
        stale, due = copy.deepcopy(self.listed), self.jobs.due

        async def due_as_read_before(now: datetime, limit: int) -> list[Job]:
            return [stale, *await due(now, limit)]

        self.jobs.due = due_as_read_before  # type: ignore[method-assign]
        return self


async def test_a_job_another_worker_took_is_passed_over_for_the_next() -> None:
    taken = queued_job()
    world = World(ReadBeforeAClaim(taken))
    claimed = copy.deepcopy(taken)
    claimed.start(world.clock.now(), world.clock.now() + timedelta(minutes=2))
    world.add(claimed)  # the other worker's claim, committed
    world.clock.advance(1)
    waiting = world.add(queued_job(world.clock.now()))

    run = await world.use_case.execute()

    assert run is not None
    assert run.outcome is JobOutcome.SUCCEEDED
    assert world.status(waiting) is JobStatus.SUCCEEDED
    assert world.status(claimed) is JobStatus.RUNNING  # left to the worker that holds it
