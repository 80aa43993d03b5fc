"""Where callbacks come from: generate keeps one, and each way a job ends starts it."""

from datetime import timedelta

import pytest

from application.jobs.admission import AdmissionPolicy
from application.jobs.cancel_job import CancelJobCommand, CancelJobUseCase
from application.jobs.generate_report import GenerateReportCommand, GenerateReportUseCase
from application.jobs.intake import JobIntake
from application.jobs.policy import JobPolicy, SweepPolicy
from application.jobs.ports import JobMessage, JobOutcome
from application.jobs.report_file_maker import ReportFileMaker
from application.jobs.run_report_job import RunReportJobUseCase
from application.jobs.sweep_jobs import SweepJobsUseCase
from domain.callback_hosts import CallbackAllowList
from domain.callbacks import Callback, CallbackState
from domain.errors import CallbackRefused, IdempotencyKeyReused
from tests.builders import analyst, queued_job, report
from tests.fakes import (
    FakeCallbackDispatcher,
    FakeClock,
    FakeReportCatalog,
    FakeScheduler,
    FakeUnitOfWork,
)
from tests.report_fakes import FakeRenderer, FakeReportQueries, InMemoryResultStore

HOOK = "https://hooks.example.com/done"
ALLOWED = CallbackAllowList.parse(["hooks.example.com"])


def generator(uow: FakeUnitOfWork, hosts: CallbackAllowList | None) -> GenerateReportUseCase:
    uow.database.reports["report-123"] = report()
    clock = FakeClock()
    intake = JobIntake(
        unit_of_work=lambda: uow,
        scheduler=FakeScheduler(),
        max_batch=10,
        clock=clock,
        policy=AdmissionPolicy(),
    )
    return GenerateReportUseCase(
        reports=FakeReportCatalog(uow.database), intake=intake, clock=clock, callback_hosts=hosts
    )


def generate(url: str | None, key: str | None = None) -> GenerateReportCommand:
    return GenerateReportCommand(
        principal=analyst(),
        report_id="report-123",
        callback_url=url,
        idempotency_key=key,
        status_url_of=lambda job_id: f"https://reports.example.com/api/v1/jobs/{job_id}",
    )


async def test_generate_keeps_the_callback_and_the_status_url_of_the_job() -> None:
    uow = FakeUnitOfWork()
    accepted = await generator(uow, ALLOWED).execute(generate(HOOK))
    callback = uow.database.jobs[accepted.job_id].callback
    assert callback == Callback(
        url=HOOK, status_url=f"https://reports.example.com/api/v1/jobs/{accepted.job_id}"
    )


@pytest.mark.parametrize(
    ("hosts", "url", "message"),
    [
        (None, HOOK, "Webhooks are not enabled"),
        (ALLOWED, "http://localhost/x", "'localhost' is not on"),
    ],
)
async def test_a_refused_callback_creates_nothing(
    hosts: CallbackAllowList | None, url: str, message: str
) -> None:
    uow = FakeUnitOfWork()
    with pytest.raises(CallbackRefused, match=message):
        await generator(uow, hosts).execute(generate(url))
    assert uow.database.jobs == {}


async def test_a_key_replayed_with_another_callback_is_another_request() -> None:
    uow = FakeUnitOfWork()
    use_case = generator(uow, ALLOWED)
    first = await use_case.execute(generate(HOOK, key="k1"))
    assert (await use_case.execute(generate(HOOK, key="k1"))).job_id == first.job_id
    with pytest.raises(IdempotencyKeyReused):
        await use_case.execute(generate(HOOK + "?other", key="k1"))
    with pytest.raises(IdempotencyKeyReused):
        await use_case.execute(generate(None, key="k1"))


@pytest.mark.parametrize("with_callback", [True, False])
async def test_a_run_that_ends_starts_the_callback_of_a_job_that_has_one(
    with_callback: bool,
) -> None:
    uow, clock, dispatcher = FakeUnitOfWork(), FakeClock(), FakeCallbackDispatcher()
    uow.database.reports["report-123"] = report()
    job = queued_job(clock.now())
    job.callback = Callback(url=HOOK, status_url="s") if with_callback else None
    uow.database.jobs[job.id] = job
    maker = ReportFileMaker(
        FakeReportQueries([(1, 2)]), FakeRenderer(), InMemoryResultStore(), batch_rows=10
    )
    use_case = RunReportJobUseCase(
        unit_of_work=uow, clock=clock, file_maker=maker, policy=JobPolicy(), callbacks=dispatcher
    )
    run = await use_case.execute(JobMessage(job.id, clock.now()))
    assert run.outcome is JobOutcome.SUCCEEDED
    assert dispatcher.dispatched == ([job.id] if with_callback else [])


async def test_a_cancellation_starts_the_callback_after_it_is_committed() -> None:
    uow, clock, dispatcher = FakeUnitOfWork(), FakeClock(), FakeCallbackDispatcher()
    job = queued_job(clock.now())
    job.callback = Callback(url=HOOK, status_url="s")
    uow.database.jobs[job.id] = job
    use_case = CancelJobUseCase(
        unit_of_work=uow, clock=clock, store=InMemoryResultStore(), callbacks=dispatcher
    )
    await use_case.execute(CancelJobCommand(analyst(), job.id))
    assert dispatcher.dispatched == [job.id]
    assert uow.database.jobs[job.id].callback == Callback(url=HOOK, status_url="s")


async def test_the_sweep_starts_due_callbacks_lost_or_waiting_for_their_retry() -> None:
    uow, clock, dispatcher = FakeUnitOfWork(), FakeClock(), FakeCallbackDispatcher()
    lost, waiting, delivered, running = (queued_job(clock.now()) for _ in range(4))
    for job in (lost, waiting, delivered):
        job.callback = Callback(url=HOOK, status_url="s")
        job.cancel(clock.now())
    running.callback = Callback(url=HOOK, status_url="s")
    assert waiting.callback is not None
    assert delivered.callback is not None
    waiting.callback.due_at = clock.now() + timedelta(minutes=2)
    delivered.callback.state = CallbackState.DELIVERED
    for job in (lost, waiting, delivered, running):
        uow.database.jobs[job.id] = job
    sweep = SweepJobsUseCase(
        unit_of_work=uow,
        clock=clock,
        scheduler=FakeScheduler(),
        store=InMemoryResultStore(),
        policy=JobPolicy(),
        sweep=SweepPolicy(),
        callbacks=dispatcher,
    )
    assert (await sweep.execute()).callbacks == 1
    assert dispatcher.dispatched == [lost.id]
    clock.advance(120)
    await sweep.execute()
    assert dispatcher.dispatched == [lost.id, lost.id, waiting.id]
