"""A job's completion callback: the webhook sent when the job ends, and its retries."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

#: The waits after each failed attempt; once they are used up the callback is given up.
RETRY_SCHEDULE = (
    timedelta(seconds=5),
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
)
#: The receiver says the endpoint is gone for good: no more attempts.
GONE = 410


class CallbackState(StrEnum):
    """Where a callback stands: waiting to be delivered, delivered, or given up."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class DeliveryOutcome(StrEnum):
    """What one attempt came to."""

    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What the receiver answered to one attempt: its status code, or why there was none."""

    status_code: int | None = None
    error: str | None = None
    """Safe to show (no secret): a timeout, a refused connection, a refused address."""
    refused: bool = False
    """The callback's address is not one the service may reach: never tried again."""


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """One attempt to deliver a job's callback, as recorded and shown on the job."""

    job_id: str
    webhook_id: str
    attempt: int
    attempted_at: datetime
    status_code: int | None
    error: str | None
    outcome: DeliveryOutcome
    next_attempt_at: datetime | None


def webhook_id_of(job_id: str) -> str:
    """The id of the job's completion message: the same for every retry of it."""
    return f"msg_{job_id.replace('-', '')}"


@dataclass(slots=True)
class Callback:
    """Where to tell that a job ended, and how its delivery is going.

    Rules: the first attempt is due as soon as the job ends. A 2xx answer
    delivers it. A refused address, or 410 Gone, gives it up at once. Any other
    answer or failure (another status, a timeout, no connection) is tried again
    after the next wait of ``RETRY_SCHEDULE``; once the schedule is used up the
    callback is given up (``FAILED``).
    """

    url: str
    status_url: str
    """The job's status URL, captured from the generate request: the body carries it."""
    state: CallbackState = CallbackState.PENDING
    attempts: int = 0
    due_at: datetime | None = None
    """When the next attempt may start (``None``: as soon as the job ends)."""

    def record(self, job_id: str, result: DeliveryResult, now: datetime) -> WebhookDelivery:
        """Count one attempt that got ``result``; the delivery row that records it."""
        if self.state is not CallbackState.PENDING:
            raise ValueError(f"A {self.state.value} callback is not delivered again.")
        self.attempts += 1
        code = result.status_code
        if code is not None and 200 <= code < 300:
            self.state, self.due_at = CallbackState.DELIVERED, None
        elif result.refused or code == GONE or self.attempts > len(RETRY_SCHEDULE):
            self.state, self.due_at = CallbackState.FAILED, None
        else:
            self.due_at = now + RETRY_SCHEDULE[self.attempts - 1]
        return WebhookDelivery(
            job_id=job_id,
            webhook_id=webhook_id_of(job_id),
            attempt=self.attempts,
            attempted_at=now,
            status_code=code,
            error=result.error,
            outcome=DeliveryOutcome.DELIVERED
            if self.state is CallbackState.DELIVERED
            else DeliveryOutcome.FAILED,
            next_attempt_at=self.due_at,
        )
