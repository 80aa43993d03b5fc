"""``GET /api/v1/jobs/{jobId}/deliveries``: how a job's completion webhook went."""

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import PathParameter

from application.webhooks.read_job_deliveries import JobDeliveries, ReadJobDeliveriesQuery
from domain.callbacks import CallbackState
from entrypoints.http.dependencies import HttpServices
from entrypoints.http.identity import job_readers_only, principal_of
from entrypoints.http.job_bodies import rfc3339
from entrypoints.http.openapi import JOB_STATUS_RESPONSES
from entrypoints.http.schemas import CallbackBody, DeliveryBody, JobDeliveriesBody


class JobDeliveriesController(Controller):
    """The completion webhook of a job, and each attempt to deliver it."""

    path = "/jobs"  # mounted under /api/v1 by the app
    tags = ["Jobs"]  # noqa: RUF012 - Litestar reads a plain class attribute
    security = [{"BearerToken": []}]  # noqa: RUF012
    guards = [job_readers_only]  # noqa: RUF012

    @get(
        "/{job_id:str}/deliveries",
        summary="A job's completion webhook and its delivery attempts",
        description=(
            "`callback` is null when the job was created without a `callbackUrl`. Its "
            "`state` is `pending` until an attempt is answered with a 2xx (`delivered`) or "
            "the service gives up (`failed`: the retries are used up, the receiver answered "
            "410, or the callback's address is not allowed). Each attempt is listed with "
            "the receiver's status code or the error, first attempt first."
        ),
        responses=JOB_STATUS_RESPONSES,
    )
    async def deliveries(
        self,
        request: Request[Any, Any, Any],
        job_id: Annotated[str, PathParameter(description="The job's id.")],
        services: NamedDependency[HttpServices],
    ) -> JobDeliveriesBody:
        """The job's callback and its deliveries."""
        query = ReadJobDeliveriesQuery(principal_of(request), job_id)
        return deliveries_body(await services.read_job_deliveries.execute(query))


def deliveries_body(found: JobDeliveries) -> JobDeliveriesBody:
    """The JSON body of a job's callback and deliveries."""
    callback = found.job.callback
    pending = callback is not None and callback.state is CallbackState.PENDING
    return JobDeliveriesBody(
        job_id=found.job.id,
        callback=None
        if callback is None
        else CallbackBody(
            url=callback.url,
            state=callback.state.value,
            attempts=callback.attempts,
            next_attempt_at=rfc3339(callback.due_at) if pending else None,
        ),
        deliveries=[
            DeliveryBody(
                webhook_id=delivery.webhook_id,
                attempt=delivery.attempt,
                attempted_at=rfc3339(delivery.attempted_at) or "",
                status_code=delivery.status_code,
                error=delivery.error,
                outcome=delivery.outcome.value,
                next_attempt_at=rfc3339(delivery.next_attempt_at),
            )
            for delivery in found.deliveries
        ],
    )
