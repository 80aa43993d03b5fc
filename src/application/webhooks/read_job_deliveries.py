"""Read a job's completion webhook and its deliveries: ``GET /api/v1/jobs/{jobId}/deliveries``."""

from dataclasses import dataclass

from application.common.ports import UnitOfWork
from application.jobs.job_records import visible_job
from domain.callbacks import WebhookDelivery
from domain.jobs import Job
from domain.principal import Principal


@dataclass(frozen=True, slots=True)
class ReadJobDeliveriesQuery:
    """A caller asks how a job's callback went."""

    principal: Principal
    job_id: str


@dataclass(frozen=True, slots=True)
class JobDeliveries:
    """The job (its callback among its fields) and every attempt, first first."""

    job: Job
    deliveries: list[WebhookDelivery]


class ReadJobDeliveriesUseCase:
    """Show a job's callback deliveries to whoever may read the job.

    Business rules:
    - The same callers who may read the job may read its deliveries; for anyone
      else the job does not exist (``JobNotFound``).
    - A job created without a ``callbackUrl`` has no callback and no deliveries.
    """

    def __init__(self, *, unit_of_work: UnitOfWork) -> None:
        self._uow = unit_of_work

    async def execute(self, query: ReadJobDeliveriesQuery) -> JobDeliveries:
        """The job and its deliveries, or ``JobNotFound``."""
        async with self._uow as uow:
            job = await visible_job(uow, query.principal, query.job_id)
            deliveries = [] if job.callback is None else await uow.callbacks.deliveries(job.id)
        return JobDeliveries(job, deliveries)
