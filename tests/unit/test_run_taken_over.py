"""A run whose job was taken from it: its worker stalled past the lease, the sweep gave the
job back to the queue and another worker claimed it. The stalled run, when it wakes up,
writes nothing over the new run: neither the job's record nor its file."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from application.jobs.policy import JobPolicy
from application.jobs.ports import JobOutcome
from application.jobs.report_file_maker import ReportFileMaker
from application.jobs.run_report_job import RunReportJobUseCase
from domain.job_status import JobStatus
from tests.fakes import FakeClock, FakeUnitOfWork
from tests.report_fakes import FakeRenderer, FakeReportQueries, InMemoryResultStore
from tests.unit.test_run_report_job import ROWS, World

#: No heartbeat while the test runs: the runs learn they lost the job only when they write.
POLICY = JobPolicy(heartbeat_interval=timedelta(hours=1), max_attempts=3)


class GatedQueries(FakeReportQueries):
    """Rows that come only once ``gate`` is open; ``waiting`` is set when a run asks."""

    def __init__(self) -> None:
        super().__init__(list(ROWS))
        self.gate, self.waiting = asyncio.Event(), asyncio.Event()

    @asynccontextmanager
    async def run(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        self.waiting.set()
        await self.gate.wait()
        async with super().run(*args, **kwargs) as rows:
            yield rows


def worker(
    uow: FakeUnitOfWork, clock: FakeClock, store: InMemoryResultStore
) -> tuple[RunReportJobUseCase, GatedQueries]:
    queries = GatedQueries()
    maker = ReportFileMaker(queries, FakeRenderer(), store, batch_rows=10)
    use_case = RunReportJobUseCase(unit_of_work=uow, clock=clock, file_maker=maker, policy=POLICY)
    return use_case, queries


async def test_a_stalled_run_that_lost_its_job_leaves_the_new_runs_record_and_file_alone() -> None:
    world = World(POLICY)
    store = InMemoryResultStore()
    stalled, stalled_rows = worker(world.uow, world.clock, store)
    fresh, fresh_rows = worker(world.uow, world.clock, store)

    first = asyncio.create_task(stalled.execute(world.message()))
    await stalled_rows.waiting.wait()  # attempt 1 is Running, and stalls
    world.clock.advance(POLICY.lease.total_seconds() + 1)
    taken = world.stored
    taken.recover_abandoned(world.clock.now(), POLICY.max_attempts)  # what the sweep does
    world.uow.database.jobs[taken.id] = taken
    second = asyncio.create_task(fresh.execute(world.message()))
    await fresh_rows.waiting.wait()  # attempt 2 is Running

    stalled_rows.gate.set()  # the stalled run wakes up and finishes first
    stalled_run = await first
    fresh_rows.gate.set()
    fresh_run = await second

    assert (stalled_run.outcome, fresh_run.outcome) == (
        JobOutcome.CANCELLED,
        JobOutcome.SUCCEEDED,
    )
    job = world.stored
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2)
    assert job.result is not None
    assert job.result.key in store.files  # the file the record names is there
    assert list(store.files) == [job.result.key]  # and nothing the stalled run wrote


async def test_a_later_attempt_removes_what_an_earlier_one_left_and_writes_its_own_key() -> None:
    world = World(POLICY)
    store = InMemoryResultStore()
    leftover = f"{world.job.id}.csv"
    store.files[leftover] = b"half a file of attempt 1"
    world.job.attempts = 1  # attempt 1 died after storing its file, before recording it
    use_case, rows = worker(world.uow, world.clock, store)
    rows.gate.set()

    run = await use_case.execute(world.message())

    assert run.outcome is JobOutcome.SUCCEEDED
    job = world.stored
    assert job.result is not None
    assert job.result.key == f"{job.id}.2.csv"
    assert list(store.files) == [job.result.key]
