"""``/api/v1/jobs``: follow a job, download its file, list and cancel jobs."""

from datetime import timedelta
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, head
from litestar.di import NamedDependency
from litestar.params import HeaderParameter, PathParameter, QueryParameter
from litestar.response import Stream

from application.common.paging import PAGE_SIZE_CEILING
from application.jobs.cancel_job import CancelJobCommand
from application.jobs.download_result import DownloadResultQuery
from application.jobs.get_job import GetJobQuery
from application.jobs.list_jobs import DEFAULT_PAGE_SIZE, ListJobsQuery
from application.jobs.wait_for_job import WaitForJobQuery
from entrypoints.http.client_gone import unless_client_leaves
from entrypoints.http.dependencies import HttpServices
from entrypoints.http.downloads import DownloadConditions
from entrypoints.http.generate import POLL_AFTER_SECONDS
from entrypoints.http.identity import job_readers_only, principal_of
from entrypoints.http.job_bodies import decode_cursor, encode_cursor, parse_status
from entrypoints.http.openapi import (
    CANCEL_RESPONSES,
    LIST_JOBS_RESPONSES,
    LONGEST_WAIT_SECONDS,
    POLL_HEADERS,
    RESULT_HEADERS,
    RESULT_RESPONSES,
    WAIT_STATUS_RESPONSES,
)
from entrypoints.http.schemas import JobBody, JobPageBody

JobId = Annotated[str, PathParameter(description="The job's id, as `POST .../generate` gave it.")]
IfNoneMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-None-Match", description="ETags already held: 304 if one is the file's."
    ),
]
ByteRange = Annotated[
    str | None,
    HeaderParameter(
        name="Range",
        description="One range, `bytes=FIRST-LAST`, `bytes=FIRST-` or `bytes=-SUFFIX`: 206. "
        "Several ranges, or a malformed one, are ignored (the whole file).",
    ),
]
IfRange = Annotated[
    str | None,
    HeaderParameter(name="If-Range", description="Honour `Range` only if this is the ETag."),
]


class JobsController(Controller):
    """Jobs: their status, their files, the caller's list, cancellation."""

    path = "/jobs"  # mounted under /api/v1 by the app
    tags = ["Jobs"]  # noqa: RUF012 - Litestar reads a plain class attribute
    security = [{"BearerToken": []}]  # noqa: RUF012
    guards = [job_readers_only]  # noqa: RUF012 - 403 before the query is judged

    @get(
        "/{job_id:str}",
        summary="A job's status",
        description="With `wait=N`, answers as soon as the job ends, or after N seconds with "
        "the job as it is then (sooner when the server process stops): a poll loop "
        "without the polling.",
        responses=WAIT_STATUS_RESPONSES,
        response_headers=POLL_HEADERS,
    )
    async def status(
        self,
        request: Request[Any, Any, Any],
        job_id: JobId,
        services: NamedDependency[HttpServices],
        wait: Annotated[
            int | None,
            QueryParameter(
                description="Seconds (0 to 30) to hold the answer while the job has not ended.",
                ge=0,
                le=LONGEST_WAIT_SECONDS,
            ),
        ] = None,
    ) -> Response[JobBody]:
        """The job; ``Retry-After`` while it is queued or running."""
        principal = principal_of(request)
        if wait:
            query = WaitForJobQuery(principal, job_id, timedelta(seconds=wait))
            with services.holds.hold(principal.subject):
                job = await unless_client_leaves(request, services.wait_for_job.execute(query))
        else:
            job = await services.get_job.execute(GetJobQuery(principal, job_id))
        headers = {} if job.status.is_finished else {"Retry-After": str(POLL_AFTER_SECONDS)}
        return Response(services.presenter.body(request, job), headers=headers)

    @get(
        "/{job_id:str}/result",
        summary="Download a job's file",
        description="Streams the file; honours `If-None-Match` (304) and one `Range` (206).",
        response_description="The whole file, in the media type of its format",
        responses=RESULT_RESPONSES,
        response_headers=RESULT_HEADERS,
    )
    async def result(
        self,
        request: Request[Any, Any, Any],
        job_id: JobId,
        services: NamedDependency[HttpServices],
        if_none_match: IfNoneMatch = None,
        byte_range: ByteRange = None,
        if_range: IfRange = None,
    ) -> Response[Any] | Stream:
        """The file, whole or a range of it."""
        query = DownloadResultQuery(principal_of(request), job_id)
        download = await services.download_result.execute(query)
        conditions = DownloadConditions(if_none_match, byte_range, if_range)
        return services.downloads.response(download, conditions)

    @head(
        "/{job_id:str}/result",
        summary="A job's file: the headers of its download, without the file",
        response_description="The file's headers, as `GET` would send them",
        responses=RESULT_RESPONSES,
        response_headers=RESULT_HEADERS,
    )
    async def result_headers(
        self,
        request: Request[Any, Any, Any],
        job_id: JobId,
        services: NamedDependency[HttpServices],
        if_none_match: IfNoneMatch = None,
        byte_range: ByteRange = None,
        if_range: IfRange = None,
    ) -> Response[None]:
        """What ``GET`` answers, without the body."""
        query = DownloadResultQuery(principal_of(request), job_id)
        download = await services.download_result.execute(query)
        conditions = DownloadConditions(if_none_match, byte_range, if_range)
        return services.downloads.head(download, conditions)

    @get("/", summary="The caller's jobs, newest first", responses=LIST_JOBS_RESPONSES)
    async def list_jobs(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[HttpServices],
        status: Annotated[str | None, QueryParameter(description="Only this status.")] = None,
        report_id: Annotated[str | None, QueryParameter(name="reportId")] = None,
        cursor: Annotated[str | None, QueryParameter(description="From a previous `next`.")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=PAGE_SIZE_CEILING)] = DEFAULT_PAGE_SIZE,
    ) -> JobPageBody:
        """A page of jobs and the URL of the next one."""
        page = await services.list_jobs.execute(
            ListJobsQuery(
                principal_of(request),
                status=parse_status(status),
                report_id=report_id,
                after=decode_cursor(cursor) if cursor else None,
                limit=limit,
            )
        )
        cursor = None if page.next_after is None else encode_cursor(page.next_after)
        next_url = services.links.next_page(request, "/api/v1/jobs", cursor)
        presenter = services.presenter
        return JobPageBody(jobs=[presenter.body(request, job) for job in page.jobs], next=next_url)

    @delete("/{job_id:str}", status_code=200, summary="Cancel a job", responses=CANCEL_RESPONSES)
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        job_id: JobId,
        services: NamedDependency[HttpServices],
    ) -> JobBody:
        """The cancelled job; 409 if it had already finished."""
        job = await services.cancel_job.execute(CancelJobCommand(principal_of(request), job_id))
        return services.presenter.body(request, job)
