"""A callback's rules: what an answer means, and the retry schedule."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.callbacks import (
    RETRY_SCHEDULE,
    Callback,
    CallbackState,
    DeliveryOutcome,
    DeliveryResult,
    webhook_id_of,
)

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
JOB = "0b0f8b1e-8c1a-4b6e-9a77-1f1f5a1c2d3e"


def callback() -> Callback:
    return Callback(url="https://hooks.example.com/x", status_url="https://api/jobs/1")


@pytest.mark.parametrize("code", [200, 202, 204, 299])
def test_a_2xx_answer_delivers_it(code: int) -> None:
    cb = callback()
    delivery = cb.record(JOB, DeliveryResult(status_code=code), NOW)
    assert cb.state is CallbackState.DELIVERED
    assert (delivery.outcome, delivery.attempt, delivery.next_attempt_at) == (
        DeliveryOutcome.DELIVERED,
        1,
        None,
    )


@pytest.mark.parametrize(
    "result", [DeliveryResult(status_code=410), DeliveryResult(error="no", refused=True)]
)
def test_gone_or_a_refused_address_gives_up_at_once(result: DeliveryResult) -> None:
    cb = callback()
    delivery = cb.record(JOB, result, NOW)
    assert cb.state is CallbackState.FAILED
    assert delivery.outcome is DeliveryOutcome.FAILED
    assert cb.due_at is None


@pytest.mark.parametrize(
    "result",
    [
        DeliveryResult(status_code=500),
        DeliveryResult(status_code=404),
        DeliveryResult(status_code=301),
        DeliveryResult(error="timeout"),
    ],
)
def test_other_answers_are_retried_along_the_schedule_then_given_up(
    result: DeliveryResult,
) -> None:
    cb, now = callback(), NOW
    for wait in RETRY_SCHEDULE:
        delivery = cb.record(JOB, result, now)
        assert cb.state is CallbackState.PENDING
        assert delivery.next_attempt_at == cb.due_at == now + wait
        now += wait
    last = cb.record(JOB, result, now)
    assert (cb.state, last.attempt, last.next_attempt_at) == (
        CallbackState.FAILED,
        len(RETRY_SCHEDULE) + 1,
        None,
    )


def test_the_schedule_backs_off() -> None:
    assert list(RETRY_SCHEDULE) == sorted(RETRY_SCHEDULE)
    assert RETRY_SCHEDULE[0] == timedelta(seconds=5)


def test_a_finished_callback_is_not_recorded_again() -> None:
    cb = callback()
    cb.record(JOB, DeliveryResult(status_code=200), NOW)
    with pytest.raises(ValueError, match="delivered"):
        cb.record(JOB, DeliveryResult(status_code=200), NOW)


def test_every_attempt_carries_the_same_webhook_id() -> None:
    cb = callback()
    first = cb.record(JOB, DeliveryResult(status_code=500), NOW)
    second = cb.record(JOB, DeliveryResult(status_code=200), NOW)
    assert first.webhook_id == second.webhook_id == webhook_id_of(JOB)
    assert first.webhook_id == "msg_0b0f8b1e8c1a4b6e9a771f1f5a1c2d3e"
