"""The worker's decision on a delivered job, with fakes for every port."""

import pytest

from application.errors import StorageUnavailable
from application.ports import JobMessage
from application.run_report_job import ROW_GRACE_PERIOD, Delivery, RunReportJobUseCase
from domain.jobs import Job
from tests.builders import queued_job
from tests.fakes import FakeClock, FakeUnitOfWork


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def stored_job(uow: FakeUnitOfWork, clock: FakeClock) -> Job:
    job = queued_job(clock.now())
    uow.database.jobs[job.id] = job
    return job


def message_for(job_id: str, clock: FakeClock) -> JobMessage:
    return JobMessage(job_id=job_id, requested_at=clock.now())


async def test_queued_job_with_a_row_runs(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    job = stored_job(uow, clock)
    decision = await RunReportJobUseCase(unit_of_work=uow, clock=clock).decide(
        message_for(job.id, clock)
    )
    assert decision.delivery is Delivery.RUN
    assert decision.job is not None
    assert decision.job.id == job.id


async def test_job_without_a_row_is_retried_while_its_commit_may_be_in_flight(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    message = message_for("5b0c5a0e-0000-4000-8000-000000000000", clock)
    clock.advance(ROW_GRACE_PERIOD.total_seconds() - 1)
    decision = await RunReportJobUseCase(unit_of_work=uow, clock=clock).decide(message)
    assert decision.delivery is Delivery.RETRY_LATER
    assert decision.retry_in.total_seconds() > 0


async def test_job_without_a_row_after_the_grace_period_is_dropped(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    message = message_for("5b0c5a0e-0000-4000-8000-000000000000", clock)
    clock.advance(ROW_GRACE_PERIOD.total_seconds())
    decision = await RunReportJobUseCase(unit_of_work=uow, clock=clock).decide(message)
    assert decision.delivery is Delivery.DROP
    assert decision.job is None


async def test_second_delivery_of_a_started_job_is_left_alone(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    job = stored_job(uow, clock)
    job.start(clock.now())
    decision = await RunReportJobUseCase(unit_of_work=uow, clock=clock).decide(
        message_for(job.id, clock)
    )
    assert decision.delivery is Delivery.ALREADY_HANDLED


async def test_database_failure_reaches_the_caller(uow: FakeUnitOfWork, clock: FakeClock) -> None:
    class BrokenUnitOfWork(FakeUnitOfWork):
        async def __aenter__(self):  # type: ignore[no-untyped-def]
            raise StorageUnavailable("The database is not answering.")

    with pytest.raises(StorageUnavailable):
        await RunReportJobUseCase(unit_of_work=BrokenUnitOfWork(), clock=clock).decide(
            message_for("x", clock)
        )
