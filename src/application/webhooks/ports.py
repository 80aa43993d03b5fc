"""The ports of completion webhooks: where callbacks are recorded, how they are sent."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.callbacks import Callback, DeliveryResult, WebhookDelivery
from domain.jobs import Job


@dataclass(frozen=True, slots=True)
class WebhookMessage:
    """One signed POST: where, its id (the same for every retry), when, and its body."""

    url: str
    webhook_id: str
    timestamp: datetime
    body: bytes


class WebhookSender(Protocol):
    """Sends a webhook (signed, to an allowed address only) and says what came of it."""

    async def send(self, message: WebhookMessage) -> DeliveryResult:
        """POST ``message``; never raises for a network or receiver failure."""
        ...


class JobDocuments(Protocol):
    """The job's status document, exactly as ``GET /api/v1/jobs/{jobId}`` answers it."""

    def render(self, job: Job, status_url: str) -> bytes:
        """The JSON bytes of ``job``'s document."""
        ...


class CallbackDispatcher(Protocol):
    """Starts the delivery of a job's callback in the background: never waits for it."""

    def dispatch(self, job_id: str) -> None:
        """Deliver ``job_id``'s callback soon (its retries too, while this process lives)."""
        ...


class CallbackRepository(Protocol):
    """Jobs' callbacks and their deliveries, inside a unit of work."""

    async def claim(self, job_id: str, now: datetime, hold_until: datetime) -> Job | None:
        """The finished job, if its callback is pending and due at ``now``; it is then held
        (not due) until ``hold_until``, so that no other process delivers it meanwhile."""
        ...

    async def due(self, now: datetime, limit: int) -> list[str]:
        """Ids of finished jobs whose callback is pending and due at ``now``."""
        ...

    async def record(self, job_id: str, callback: Callback, delivery: WebhookDelivery) -> bool:
        """Write the callback's new state and its delivery, if no other attempt was
        recorded since this one started (``callback.attempts - 1`` before); whether written."""
        ...

    async def deliveries(self, job_id: str) -> list[WebhookDelivery]:
        """The job's deliveries, first attempt first."""
        ...
