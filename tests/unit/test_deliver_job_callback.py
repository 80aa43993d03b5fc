"""DeliverJobCallbackUseCase with fakes: claims, what is sent, what is recorded."""

from datetime import timedelta

from application.webhooks.deliver_job_callback import (
    DeliverJobCallbackCommand,
    DeliverJobCallbackUseCase,
)
from domain.callbacks import Callback, CallbackState, DeliveryOutcome, DeliveryResult
from domain.jobs import Job
from tests.builders import queued_job
from tests.fakes import FakeClock, FakeJobDocuments, FakeUnitOfWork, FakeWebhookSender

URL = "https://hooks.example.com/done"
STATUS_URL = "https://reports.example.com/api/v1/jobs/x"


class World:
    def __init__(self, *results: DeliveryResult) -> None:
        self.clock = FakeClock()
        self.uow = FakeUnitOfWork()
        self.sender = FakeWebhookSender(*results)
        self.use_case = DeliverJobCallbackUseCase(
            unit_of_work=self.uow,
            clock=self.clock,
            sender=self.sender,
            documents=FakeJobDocuments(),
            hold=timedelta(seconds=30),
        )

    def add(self, *, finished: bool = True, callback: bool = True) -> Job:
        job = queued_job(self.clock.now())
        if callback:
            job.callback = Callback(url=URL, status_url=STATUS_URL)
        if finished:
            job.cancel(self.clock.now())
        self.uow.database.jobs[job.id] = job
        return job

    async def deliver(self, job: Job) -> bool:
        return (await self.use_case.execute(DeliverJobCallbackCommand(job.id))).attempted

    def callback_of(self, job: Job) -> Callback:
        callback = self.uow.database.jobs[job.id].callback
        assert callback is not None
        return callback


async def test_a_finished_job_is_posted_its_document_and_the_delivery_recorded() -> None:
    world = World(DeliveryResult(status_code=204))
    job = world.add()
    assert await world.deliver(job)
    [message] = world.sender.sent
    assert message.url == URL
    assert message.body == f"{job.id} Cancelled {STATUS_URL}".encode()
    assert message.webhook_id == f"msg_{job.id.replace('-', '')}"
    assert message.timestamp == world.clock.now()
    assert world.callback_of(job).state is CallbackState.DELIVERED
    [delivery] = world.uow.database.deliveries
    assert (delivery.attempt, delivery.status_code, delivery.outcome) == (
        1,
        204,
        DeliveryOutcome.DELIVERED,
    )


async def test_an_unfinished_job_or_one_without_a_callback_is_not_sent() -> None:
    world = World()
    for job in (world.add(finished=False), world.add(callback=False)):
        assert not await world.deliver(job)
    assert world.sender.sent == []
    assert world.uow.database.deliveries == []


async def test_a_failed_attempt_waits_for_its_retry_and_keeps_the_same_id() -> None:
    world = World(DeliveryResult(status_code=500), DeliveryResult(status_code=200))
    job = world.add()
    attempt = await world.use_case.execute(DeliverJobCallbackCommand(job.id))
    assert attempt.retry_in == timedelta(seconds=5)
    assert world.callback_of(job).state is CallbackState.PENDING
    assert not await world.deliver(job)  # not due yet
    world.clock.advance(5)
    assert await world.deliver(job)
    assert world.callback_of(job).state is CallbackState.DELIVERED
    first, second = world.sender.sent
    assert first.webhook_id == second.webhook_id
    assert [d.outcome for d in world.uow.database.deliveries] == [
        DeliveryOutcome.FAILED,
        DeliveryOutcome.DELIVERED,
    ]


async def test_a_claimed_callback_is_not_sent_by_another_process_meanwhile() -> None:
    world = World()
    job = world.add()
    now = world.clock.now()
    async with world.uow as uow:
        assert await uow.callbacks.claim(job.id, now, now + timedelta(seconds=30)) is not None
        await uow.commit()
    assert not await world.deliver(job)
    world.clock.advance(30)
    assert await world.deliver(job)


async def test_a_refused_address_is_recorded_and_given_up() -> None:
    refused = DeliveryResult(error="callback address 127.0.0.1 is not allowed", refused=True)
    world = World(refused)
    job = world.add()
    attempt = await world.use_case.execute(DeliverJobCallbackCommand(job.id))
    assert (attempt.state, attempt.retry_in) == (CallbackState.FAILED, None)
    [delivery] = world.uow.database.deliveries
    assert delivery.error == "callback address 127.0.0.1 is not allowed"
    world.clock.advance(3600)
    assert not await world.deliver(job)
