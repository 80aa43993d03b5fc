"""``POST /api/v1/reports/{reportId}/generate``: start a report job."""

from datetime import timedelta
from typing import Annotated, Any, cast

from litestar import Controller, Request, Response, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import HeaderParameter, JSONBody, PathParameter
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED

from application.common import log_context
from application.jobs.generate_report import GenerateReportCommand
from application.jobs.wait_for_job import WaitForJobQuery
from entrypoints.http.client_gone import unless_client_leaves
from entrypoints.http.dependencies import HttpServices
from entrypoints.http.idempotency import HEADER, KEY_PATTERN, MAX_KEY_LENGTH, idempotency_key
from entrypoints.http.identity import generators_only, principal_of
from entrypoints.http.openapi import GENERATE_ERROR_RESPONSES, LONGEST_WAIT_SECONDS
from entrypoints.http.prefer import preferences, preferred_wait
from entrypoints.http.schemas import GenerateReportBody, JobAcceptedBody, JobBody
from entrypoints.tracing import current_trace_parent, job_hand_over

MAX_BODY_BYTES = 64 * 1024
#: Seconds a client should wait before polling a job's status.
POLL_AFTER_SECONDS = 2


class ReportGenerationController(Controller):
    """Starts asynchronous report generation."""

    path = "/"  # mounted under /api/v1/reports by the app
    tags = ["Reports"]  # noqa: RUF012 - Litestar reads a plain class attribute
    guards = [generators_only]  # noqa: RUF012 - 403 before the body is judged

    @post(
        "/{report_id:str}/generate",
        status_code=HTTP_202_ACCEPTED,
        summary="Start generating a report",
        description=(
            "Queues a job that generates the report in the background and answers at once "
            "with the job's id and the URL to poll. Needs the `reports:generate` scope and, "
            "when the report lists `allowedRoles`, one of them. Only reports with an "
            "asynchronous API Response delivery target can be generated this way.\n\n"
            "With an `Idempotency-Key` header, a retry of the same request (the same "
            "parameters and format) within 24 hours answers the job the key first created, "
            "with the same `jobId`, `statusUrl` and `Location`, and creates nothing; the key "
            "with another request answers 422, and a retry while the first request is still "
            "being processed 409. Each caller may create a limited number of jobs a minute and "
            "have a limited number queued or running; over either, 429 with `Retry-After` "
            "(a repeat of an idempotent request is never refused).\n\n"
            "With a `callbackUrl`, the service POSTs the job's status document there, signed "
            "as Standard Webhooks describes, once the job ends (see `GET "
            "/api/v1/jobs/{jobId}/deliveries`); its host must be on the operator's allow-list "
            "(422 otherwise, and when webhooks are off)."
        ),
        request_max_body_size=MAX_BODY_BYTES,
        responses={
            200: ResponseSpec(
                JobBody,
                generate_examples=False,
                description="With `Prefer: wait=N`: the job ended within N seconds; its status "
                "(`Location` and `Content-Location` are its status URL)",
            ),
            **GENERATE_ERROR_RESPONSES,
        },
        response_headers=[
            ResponseHeader(
                name="Location", description="The job's status URL.", documentation_only=True
            ),
            ResponseHeader(
                name="Retry-After",
                description="Seconds to wait before polling.",
                documentation_only=True,
            ),
            ResponseHeader(
                name="Preference-Applied",
                description="The `Prefer` preferences honoured (`respond-async`, `wait=N`).",
                documentation_only=True,
                required=False,
            ),
        ],
        security=[{"BearerToken": []}],
    )
    async def generate(
        self,
        request: Request[Any, Any, Any],
        report_id: Annotated[str, PathParameter(description="The report's id, e.g. `report-123`.")],
        services: NamedDependency[HttpServices],
        data: JSONBody[GenerateReportBody | None] = None,
        key: Annotated[
            str | None,
            HeaderParameter(
                name=HEADER,
                description=(
                    "Makes a retry safe: the same key and request within 24 hours answer the "
                    f"same job. 1 to {MAX_KEY_LENGTH} printable ASCII characters, yours alone."
                ),
                examples=[Example(value="8e03978e-40d5-43e8-bc93-6894a57f9324")],
                schema_extra={"maxLength": MAX_KEY_LENGTH, "pattern": KEY_PATTERN},
            ),
        ] = None,
        prefer: Annotated[
            str | None,
            HeaderParameter(
                name="Prefer",
                description="`respond-async, wait=N` (RFC 7240): hold the answer up to N "
                f"seconds (at most {LONGEST_WAIT_SECONDS}); 200 with the job's status if it "
                "ended by then, else the usual 202.",
                examples=[Example(value="respond-async, wait=10")],
            ),
        ] = None,
    ) -> Response[JobAcceptedBody]:
        """Queue a report job; 202 with its id and status URL."""
        body = data or GenerateReportBody()
        with job_hand_over():
            accepted = await services.generate_report.execute(
                GenerateReportCommand(
                    principal=principal_of(request),
                    report_id=report_id,
                    parameters=body.parameters,
                    format=body.format,
                    idempotency_key=idempotency_key(key),
                    request_id=log_context.request_id.get(),  # set by ``RequestIds``
                    trace_parent=current_trace_parent(),  # None unless the request is traced
                    callback_url=body.callback_url,
                    status_url_of=lambda job_id: services.links.job_status(request, job_id),
                )
            )
        status_url = services.links.job_status(request, accepted.job_id)
        asked = preferences(request.headers.getall("prefer", ())) if prefer else {}
        wait = preferred_wait(asked, LONGEST_WAIT_SECONDS)
        if wait is not None and not services.holds.may_hold(principal_of(request).subject):
            wait = None  # a preference: the job is created, the answer is not held
        applied = ["respond-async"] if "respond-async" in asked else []
        if wait is not None:
            applied.append(f"wait={wait}")
            ended = await _ended_within(request, services, accepted.job_id, wait, status_url)
            if ended is not None:  # the operation's 200 (``responses``), not its 202 model
                return cast("Response[JobAcceptedBody]", ended)
        headers = {"Location": status_url, "Retry-After": str(POLL_AFTER_SECONDS)}
        if applied:
            headers["Preference-Applied"] = ", ".join(applied)
        return Response(
            JobAcceptedBody(job_id=accepted.job_id, status_url=status_url),
            status_code=HTTP_202_ACCEPTED,
            headers=headers,
        )


async def _ended_within(
    request: Request[Any, Any, Any],
    services: HttpServices,
    job_id: str,
    wait: int,
    status_url: str,
) -> Response[JobBody] | None:
    """The 200 answer with the job's status if it ends within ``wait`` seconds."""
    principal = principal_of(request)
    query = WaitForJobQuery(principal, job_id, timedelta(seconds=wait))
    with services.holds.hold(principal.subject):  # checked by the caller, without an await
        job = await unless_client_leaves(request, services.wait_for_job.execute(query))
    if not job.status.is_finished:
        return None
    headers = {
        "Location": status_url,
        "Content-Location": status_url,
        "Preference-Applied": f"wait={wait}",
    }
    return Response(services.presenter.body(request, job), status_code=HTTP_200_OK, headers=headers)
