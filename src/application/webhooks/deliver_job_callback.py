"""Deliver a finished job's completion webhook: one attempt, recorded."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from application.common.ports import Clock, UnitOfWork
from application.webhooks.ports import JobDocuments, WebhookMessage, WebhookSender
from domain.callbacks import CallbackState, webhook_id_of

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeliverJobCallbackCommand:
    """Deliver the callback of ``job_id``, if it is due."""

    job_id: str


@dataclass(frozen=True, slots=True)
class CallbackAttempt:
    """What one execution did: whether it attempted, and when to try again, if ever."""

    attempted: bool
    state: CallbackState | None = None
    retry_in: timedelta | None = None


class DeliverJobCallbackUseCase:
    """POST a finished job's status document to its ``callbackUrl``, once.

    Business rules:
    - Only a finished job's pending callback whose due time has come is
      delivered; it is claimed first (held for ``hold``, longer than one attempt
      can take), so that two processes do not deliver it at once. A job without
      one, or not due, is left alone.
    - The body is the job's status document, the same JSON as ``GET
      /api/v1/jobs/{jobId}``; the message id is the same for every attempt, so a
      receiver recognises a retry (``webhook_id_of``).
    - Every attempt is recorded with its outcome (``Callback.record``: 2xx
      delivered; a refused address or 410 gives up; anything else is tried again
      along the retry schedule, then given up).
    - An attempt whose outcome cannot be recorded (the database went away) is
      tried again once the hold ends: a receiver may see a message twice, and
      dedupes it by its ``webhook-id``.
    """

    def __init__(
        self,
        *,
        unit_of_work: UnitOfWork,
        clock: Clock,
        sender: WebhookSender,
        documents: JobDocuments,
        hold: timedelta,
    ) -> None:
        self._uow = unit_of_work
        self._clock = clock
        self._sender = sender
        self._documents = documents
        self._hold = hold

    async def execute(self, command: DeliverJobCallbackCommand) -> CallbackAttempt:
        """One attempt, if one is due; what came of it."""
        now = self._clock.now()
        async with self._uow as uow:
            job = await uow.callbacks.claim(command.job_id, now, now + self._hold)
            await uow.commit()
        if job is None or job.callback is None:
            return CallbackAttempt(attempted=False)
        callback = job.callback
        message = WebhookMessage(
            url=callback.url,
            webhook_id=webhook_id_of(job.id),
            timestamp=now,
            body=self._documents.render(job, callback.status_url),
        )
        result = await self._sender.send(message)
        finished = self._clock.now()
        delivery = callback.record(job.id, result, finished)
        async with self._uow as uow:
            await uow.callbacks.record(job.id, callback, delivery)
            await uow.commit()
        logger.info(
            "Job %s: callback attempt %d %s (%s).",
            job.id,
            delivery.attempt,
            delivery.outcome.value,
            delivery.status_code if delivery.status_code is not None else delivery.error,
            extra={"job_id": job.id},
        )
        retry_in = None if callback.due_at is None else callback.due_at - finished
        return CallbackAttempt(attempted=True, state=callback.state, retry_in=retry_in)
