"""JobIntake, the group commit of the write path, with fakes: many requests, one commit."""

import asyncio
from types import TracebackType

import pytest

from application.common.errors import SchedulerUnavailable, StorageUnavailable
from application.jobs.admission import AdmissionPolicy
from application.jobs.intake import JobIntake
from tests.builders import queued_job
from tests.fakes import FakeClock, FakeScheduler, FakeUnitOfWork


class SlowCommit(FakeUnitOfWork):
    """A unit of work whose commit takes a while (an fsync), so that requests pile up."""

    async def commit(self) -> None:
        await asyncio.sleep(0.05)
        await super().commit()


def intake(uow: FakeUnitOfWork, scheduler: FakeScheduler, max_batch: int = 100) -> JobIntake:
    return JobIntake(
        unit_of_work=lambda: uow,
        scheduler=scheduler,
        max_batch=max_batch,
        clock=FakeClock(),
        policy=AdmissionPolicy(),
    )


async def test_requests_that_arrive_during_a_commit_share_the_next_one() -> None:
    uow, scheduler = SlowCommit(), FakeScheduler()
    jobs = [queued_job() for _ in range(50)]

    shared = intake(uow, scheduler)

    async with asyncio.timeout(5):
        first = asyncio.create_task(shared.submit(jobs[0]))
        await asyncio.sleep(0.01)  # the first job's batch is committing now
        await asyncio.gather(first, *(shared.submit(job) for job in jobs[1:]))

    assert set(uow.database.jobs) == {job.id for job in jobs}
    assert uow.commits == 2  # the first alone, then the 49 that arrived meanwhile
    assert scheduler.round_trips == uow.commits
    assert [m.job_id for m in scheduler.scheduled] == [job.id for job in jobs]


async def test_a_batch_holds_at_most_max_batch_jobs() -> None:
    uow, scheduler = SlowCommit(), FakeScheduler()
    shared = intake(uow, scheduler, max_batch=10)

    async with asyncio.timeout(5):
        await asyncio.gather(*(shared.submit(queued_job()) for _ in range(25)))

    assert len(uow.database.jobs) == 25
    assert uow.commits == 3  # 10, 10 and 5


async def test_a_queue_that_fails_fails_every_request_of_the_batch_and_keeps_no_row() -> None:
    uow, scheduler = SlowCommit(), FakeScheduler()
    scheduler.fail = True
    shared = intake(uow, scheduler)

    outcomes = await asyncio.gather(
        *(shared.submit(queued_job()) for _ in range(5)), return_exceptions=True
    )

    assert all(isinstance(outcome, SchedulerUnavailable) for outcome in outcomes)
    assert uow.database.jobs == {}
    assert uow.commits == 0


async def test_a_commit_that_fails_after_the_hand_over_fails_every_request_of_the_batch() -> None:
    uow, scheduler = FakeUnitOfWork(), FakeScheduler()
    uow.fail_on_commit = True
    shared = intake(uow, scheduler)
    jobs = [queued_job() for _ in range(3)]

    outcomes = await asyncio.gather(*(shared.submit(job) for job in jobs), return_exceptions=True)

    assert all(isinstance(outcome, StorageUnavailable) for outcome in outcomes)
    assert uow.database.jobs == {}
    # Queued without a row: the workers find none and drop them (the grace period).
    assert {m.job_id for m in scheduler.scheduled} == {job.id for job in jobs}


async def test_a_failed_batch_does_not_fail_the_next_one() -> None:
    uow, scheduler = FakeUnitOfWork(), FakeScheduler()
    shared = intake(uow, scheduler)
    scheduler.fail = True
    with pytest.raises(SchedulerUnavailable):
        await shared.submit(queued_job())
    scheduler.fail = False

    job = queued_job()
    await shared.submit(job)

    assert list(uow.database.jobs) == [job.id]


async def test_a_caller_that_leaves_does_not_stop_its_batch() -> None:
    uow, scheduler = SlowCommit(), FakeScheduler()
    shared = intake(uow, scheduler)
    leaving, staying = queued_job(), queued_job()

    first = asyncio.create_task(shared.submit(leaving))
    second = asyncio.create_task(shared.submit(staying))
    await asyncio.sleep(0.01)
    first.cancel()
    async with asyncio.timeout(5):
        await second

    assert first.cancelled()
    assert set(uow.database.jobs) == {leaving.id, staying.id}


class Recording(FakeUnitOfWork):
    """Notes whether a transaction was open when each one began: batches never overlap."""

    def __init__(self) -> None:
        super().__init__()
        self.open = 0
        self.most_open = 0

    async def __aenter__(self) -> "Recording":
        self.open += 1
        self.most_open = max(self.most_open, self.open)
        await super().__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await super().__aexit__(exc_type, exc, tb)
        self.open -= 1

    async def commit(self) -> None:
        await asyncio.sleep(0.01)
        await super().commit()


async def test_one_writer_per_process_never_opens_two_transactions_at_once() -> None:
    uow, scheduler = Recording(), FakeScheduler()
    shared = intake(uow, scheduler, max_batch=3)

    async with asyncio.timeout(5):
        await asyncio.gather(*(shared.submit(queued_job()) for _ in range(20)))

    assert uow.most_open == 1
    assert len(uow.database.jobs) == 20
