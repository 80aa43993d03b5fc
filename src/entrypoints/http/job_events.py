"""``GET /api/v1/jobs/{jobId}/events``: a job's status and progress as server-sent events."""

from collections.abc import AsyncIterator
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import HeaderParameter, PathParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage
from litestar.status_codes import HTTP_204_NO_CONTENT

from application.jobs.follow_job import FollowJobQuery, job_state
from domain.jobs import Job
from entrypoints.http.dependencies import HttpServices
from entrypoints.http.holds import TooManyHeldRequests
from entrypoints.http.identity import job_readers_only, principal_of
from entrypoints.http.openapi import EVENTS_RESPONSES

#: Milliseconds a client waits before it reconnects (the ``retry`` field).
RECONNECT_AFTER_MS = 2000
_STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


def event_id(job: Job) -> str:
    """The id of the event that tells ``job``'s state: its status, attempt and rows."""
    status, attempt, rows = job_state(job)
    return f"{status}.{attempt}.{rows}"


class JobEventsController(Controller):
    """A job followed as a stream of events."""

    path = "/jobs"  # mounted under /api/v1 by the app
    tags = ["Jobs"]  # noqa: RUF012 - Litestar reads a plain class attribute
    security = [{"BearerToken": []}]  # noqa: RUF012
    guards = [job_readers_only]  # noqa: RUF012

    @get(
        "/{job_id:str}/events",
        summary="Follow a job: its status and progress as server-sent events",
        description=(
            "A `text/event-stream`: an event `status` with the job's status document "
            "(as `GET /api/v1/jobs/{jobId}` answers it) now and at each change of its status "
            "or progress; the stream ends after the event that shows the job ended, or "
            "earlier when the server process stops (reconnect with `Last-Event-ID`). Each "
            "event has an `id`: a client that reconnects with `Last-Event-ID` is not sent "
            "that state again, and gets 204 when it already saw the job end. A comment line "
            "keeps a quiet stream open every 15 seconds."
        ),
        response_description="The job's events",
        responses=EVENTS_RESPONSES,
        media_type="text/event-stream",
    )
    async def events(
        self,
        request: Request[Any, Any, Any],
        job_id: Annotated[str, PathParameter(description="The job's id.")],
        services: NamedDependency[HttpServices],
        last_event_id: Annotated[
            str | None,
            HeaderParameter(name="Last-Event-ID", description="The id of the last event received."),
        ] = None,
    ) -> ServerSentEvent | Response[None]:
        """The stream of the job's states; 204 if the last one seen was its end."""
        principal = principal_of(request)
        states = await services.follow_job.execute(FollowJobQuery(principal, job_id))
        first = await anext(states)
        if first is not None and first.status.is_finished and event_id(first) == last_event_id:
            await states.aclose()
            return Response(None, status_code=HTTP_204_NO_CONTENT)
        presenter, holds = services.presenter, services.holds
        try:
            holds.refuse_if_full(principal.subject)
        except TooManyHeldRequests:
            await states.aclose()
            raise

        def message(job: Job) -> ServerSentEventMessage:
            body = msgspec.json.encode(presenter.body(request, job)).decode()
            return ServerSentEventMessage(data=body, event="status", id=event_id(job))

        async def stream() -> AsyncIterator[ServerSentEventMessage]:
            holds.take(principal.subject)  # counted while the stream runs, however it ends
            try:
                if first is not None and event_id(first) != last_event_id:
                    yield message(first)
                async for job in states:
                    yield (
                        ServerSentEventMessage(comment="keep-alive")
                        if job is None
                        else (message(job))
                    )
            finally:
                holds.release(principal.subject)
                await states.aclose()

        return ServerSentEvent(stream(), retry_duration=RECONNECT_AFTER_MS, headers=_STREAM_HEADERS)
