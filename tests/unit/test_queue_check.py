"""The sweep compares the queued jobs' records with what the scheduler holds."""

from datetime import timedelta

from application.jobs.policy import JobPolicy, SweepPolicy
from application.jobs.ports import JobMessage
from application.jobs.sweep_jobs import SweepJobsUseCase
from domain.jobs import Job
from tests.builders import queued_job
from tests.fakes import FakeClock, FakeScheduler, FakeUnitOfWork
from tests.report_fakes import InMemoryResultStore


def sweeper(batch: int = 100) -> tuple[SweepJobsUseCase, FakeUnitOfWork, FakeClock, FakeScheduler]:
    uow, clock, scheduler = FakeUnitOfWork(), FakeClock(), FakeScheduler()
    use_case = SweepJobsUseCase(
        unit_of_work=uow,
        clock=clock,
        scheduler=scheduler,
        store=InMemoryResultStore(),
        policy=JobPolicy(),
        sweep=SweepPolicy(redeliver_after=timedelta(minutes=5), batch=batch),
    )
    return use_case, uow, clock, scheduler


def queue(uow: FakeUnitOfWork, clock: FakeClock, scheduler: FakeScheduler, count: int) -> list[Job]:
    """``count`` jobs recorded and queued, a second apart, oldest first."""
    jobs = []
    for _ in range(count):
        job = queued_job(clock.now())
        uow.database.jobs[job.id] = job
        scheduler.scheduled.append(JobMessage(job.id, job.created_at))
        jobs.append(job)
        clock.advance(1)
    return jobs


async def test_once_the_queue_lost_its_data_the_next_sweep_hands_over_every_queued_job() -> None:
    use_case, uow, clock, scheduler = sweeper(batch=2)
    jobs = queue(uow, clock, scheduler, 5)
    scheduler.lose_everything()

    summary = await use_case.execute()

    assert summary.unqueued == 5
    assert [m.job_id for m in scheduler.scheduled] == [job.id for job in jobs]
    assert scheduler.intact
    assert (await use_case.execute()).unqueued == 0


async def test_an_intact_queue_has_its_oldest_jobs_checked_and_a_lost_one_handed_over() -> None:
    use_case, uow, clock, scheduler = sweeper(batch=2)
    oldest, *_ = queue(uow, clock, scheduler, 4)
    scheduler.scheduled = [m for m in scheduler.scheduled if m.job_id != oldest.id]

    summary = await use_case.execute()

    assert summary.unqueued == 1
    assert scheduler.scheduled[-1].job_id == oldest.id
    assert scheduler.round_trips == 1  # one batch checked: the queue is intact


async def test_nothing_is_handed_over_while_every_queued_job_has_its_entry() -> None:
    use_case, uow, clock, scheduler = sweeper()
    queue(uow, clock, scheduler, 3)
    before = list(scheduler.scheduled)

    summary = await use_case.execute()

    assert summary.unqueued == 0
    assert scheduler.scheduled == before


async def test_a_lost_job_waiting_for_its_backoff_is_handed_over_once_it_is_due() -> None:
    use_case, uow, clock, scheduler = sweeper()
    (job,) = queue(uow, clock, scheduler, 1)
    job.start(clock.now(), clock.now() + timedelta(minutes=2))
    job.retry_later(
        "The data source did not answer.", clock.now(), 3, clock.now() + timedelta(seconds=60)
    )
    scheduler.lose_everything()

    assert (await use_case.execute()).unqueued == 0
    clock.advance(61)
    assert (await use_case.execute()).unqueued == 1
    assert [(m.job_id, m.delivery) for m in scheduler.scheduled] == [(job.id, 1)]


async def test_a_queue_that_does_not_answer_is_checked_again_by_the_next_sweep() -> None:
    use_case, uow, clock, scheduler = sweeper()
    (job,) = queue(uow, clock, scheduler, 1)
    scheduler.lose_everything()
    scheduler.fail = True

    assert (await use_case.execute()).unqueued == 0
    assert not scheduler.intact

    scheduler.fail = False
    assert (await use_case.execute()).unqueued == 1
    assert [m.job_id for m in scheduler.scheduled] == [job.id]
