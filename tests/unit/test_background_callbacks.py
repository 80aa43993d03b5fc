"""Callbacks delivered in the background of a process: soon retries in-process, once a job."""

import asyncio
from datetime import timedelta

from adapters.webhooks.background import BackgroundCallbacks
from application.webhooks.deliver_job_callback import CallbackAttempt, DeliverJobCallbackCommand
from domain.callbacks import CallbackState


class ScriptedDeliveries:
    """Answers each execution with the next attempt of ``script``; records the job ids."""

    def __init__(self, *script: CallbackAttempt, pause: float = 0.0) -> None:
        self.script = list(script)
        self.calls: list[str] = []
        self.pause = pause

    async def __call__(self, command: DeliverJobCallbackCommand) -> CallbackAttempt:
        self.calls.append(command.job_id)
        await asyncio.sleep(self.pause)
        return self.script.pop(0) if self.script else CallbackAttempt(attempted=False)


async def settle(callbacks: BackgroundCallbacks) -> None:
    async with asyncio.timeout(5):
        while True:
            if not callbacks.in_progress:
                return
            await asyncio.sleep(0.01)


async def test_a_retry_due_soon_is_made_in_the_same_task() -> None:
    deliveries = ScriptedDeliveries(
        CallbackAttempt(True, CallbackState.PENDING, timedelta(seconds=0.05)),
        CallbackAttempt(True, CallbackState.DELIVERED),
    )
    callbacks = BackgroundCallbacks(deliveries, follow_up=timedelta(seconds=1))
    callbacks.dispatch("job-1")
    await settle(callbacks)
    assert deliveries.calls == ["job-1", "job-1"]


async def test_a_retry_due_later_is_left_to_the_sweep() -> None:
    deliveries = ScriptedDeliveries(
        CallbackAttempt(True, CallbackState.PENDING, timedelta(minutes=10)),
    )
    callbacks = BackgroundCallbacks(deliveries, follow_up=timedelta(minutes=2))
    callbacks.dispatch("job-1")
    await settle(callbacks)
    assert deliveries.calls == ["job-1"]


async def test_a_job_being_delivered_is_not_dispatched_twice_and_stop_cancels_it() -> None:
    deliveries = ScriptedDeliveries(CallbackAttempt(True, CallbackState.DELIVERED), pause=10)
    callbacks = BackgroundCallbacks(deliveries, follow_up=timedelta(minutes=2))
    callbacks.dispatch("job-1")
    callbacks.dispatch("job-1")
    await asyncio.sleep(0.05)
    assert deliveries.calls == ["job-1"]
    assert callbacks.in_progress == {"job-1"}
    async with asyncio.timeout(2):
        await callbacks.stop()
    assert callbacks.in_progress == frozenset()


async def test_a_failing_delivery_is_logged_and_ends_its_task() -> None:
    async def broken(command: DeliverJobCallbackCommand) -> CallbackAttempt:
        raise RuntimeError("boom")

    callbacks = BackgroundCallbacks(broken, follow_up=timedelta(minutes=2))
    callbacks.dispatch("job-1")
    await settle(callbacks)


class CountedDeliveries:
    """Deliveries that take a moment each; counts how many run at once."""

    def __init__(self) -> None:
        self.running = 0
        self.most = 0
        self.done: list[str] = []

    async def __call__(self, command: DeliverJobCallbackCommand) -> CallbackAttempt:
        self.running += 1
        self.most = max(self.most, self.running)
        await asyncio.sleep(0.02)
        self.running -= 1
        self.done.append(command.job_id)
        return CallbackAttempt(True, CallbackState.DELIVERED)


async def test_at_most_the_concurrency_of_attempts_run_at_once_and_every_job_gets_its_turn() -> (
    None
):
    deliveries = CountedDeliveries()
    callbacks = BackgroundCallbacks(deliveries, follow_up=timedelta(minutes=2), concurrency=3)
    for n in range(20):
        callbacks.dispatch(f"job-{n}")
    await settle(callbacks)
    assert deliveries.most == 3
    assert sorted(deliveries.done) == sorted(f"job-{n}" for n in range(20))


async def test_each_attempt_made_is_told_and_one_not_made_is_not() -> None:
    deliveries = ScriptedDeliveries(
        CallbackAttempt(True, CallbackState.PENDING, timedelta(seconds=0.01)),
        CallbackAttempt(True, CallbackState.DELIVERED),
    )
    told: list[CallbackAttempt] = []
    callbacks = BackgroundCallbacks(
        deliveries, follow_up=timedelta(minutes=2), on_attempt=told.append
    )
    callbacks.dispatch("job-1")
    await settle(callbacks)
    callbacks.dispatch("job-2")  # nothing due: no attempt is made
    await settle(callbacks)
    assert deliveries.calls == ["job-1", "job-1", "job-2"]
    assert [attempt.state for attempt in told] == [CallbackState.PENDING, CallbackState.DELIVERED]
