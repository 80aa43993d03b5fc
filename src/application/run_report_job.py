"""The worker's side of a job: decide whether a delivered job may run.

arq (and the in-process runner) deliver a job at least once, and may deliver
it before the request that created it has committed its row. This use case
decides what a delivery means before any report work starts.
"""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from application.ports import Clock, JobMessage, UnitOfWork
from domain.jobs import Job, JobStatus

#: How long a job without a row is waited for: longer than any commit can take.
ROW_GRACE_PERIOD = timedelta(seconds=30)
#: How long to wait before looking for a missing row again.
RETRY_DELAY = timedelta(seconds=1)


class Delivery(StrEnum):
    """What to do with one delivery of a job."""

    RUN = "run"
    RETRY_LATER = "retry_later"
    DROP = "drop"
    ALREADY_HANDLED = "already_handled"


@dataclass(frozen=True, slots=True)
class DeliveryDecision:
    """The decision, with the job when it exists and the delay when it is retried."""

    delivery: Delivery
    job: Job | None = None
    retry_in: timedelta = RETRY_DELAY


class RunReportJobUseCase:
    """Decide what a delivered job message leads to.

    Business rules:
    - A job whose row is not visible yet is looked for again a little later,
      until a grace period (``ROW_GRACE_PERIOD``) after it was requested: the creating request
      may still be committing.
    - Past that, a job without a row is dropped and never executed: its
      creation failed after the enqueue (the commit did not go through).
    - A job that is no longer ``Queued`` was handled by an earlier delivery
      and is left as it is (deliveries are at least once).
    - Only a ``Queued`` job with a row is run.
    """

    def __init__(
        self,
        *,
        unit_of_work: UnitOfWork,
        clock: Clock,
        row_grace_period: timedelta = ROW_GRACE_PERIOD,
    ) -> None:
        self._uow = unit_of_work
        self._clock = clock
        self._row_grace_period = row_grace_period

    async def decide(self, message: JobMessage) -> DeliveryDecision:
        """Look the job up and decide; raises ``StorageUnavailable`` if the database fails."""
        async with self._uow as uow:
            job = await uow.jobs.get(message.job_id)
        if job is None:
            waited = self._clock.now() - message.requested_at
            if waited < self._row_grace_period:
                return DeliveryDecision(Delivery.RETRY_LATER)
            return DeliveryDecision(Delivery.DROP)
        if job.status is not JobStatus.QUEUED:
            return DeliveryDecision(Delivery.ALREADY_HANDLED, job)
        return DeliveryDecision(Delivery.RUN, job)
