"""``GET /api/v1/reports`` and ``GET /api/v1/reports/{reportId}``: what a client can run."""

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter

from application.common.paging import PAGE_SIZE_CEILING
from application.reports.get_report import GetReportQuery
from application.reports.list_reports import DEFAULT_PAGE_SIZE, ListReportsQuery
from entrypoints.http.dependencies import HttpServices
from entrypoints.http.identity import principal_of
from entrypoints.http.openapi import (
    GET_REPORT_RESPONSES,
    LIST_REPORTS_RESPONSES,
    REPORT_VERSION_HEADERS,
)
from entrypoints.http.report_bodies import ReportBody, ReportPageBody, report_body
from entrypoints.http.versions import etag


class ReportsController(Controller):
    """The report configurations a caller may see, with what generate needs to know."""

    path = "/"  # mounted under /api/v1/reports by the app
    tags = ["Reports"]  # noqa: RUF012 - Litestar reads a plain class attribute
    security = [{"BearerToken": []}]  # noqa: RUF012

    @get("/", summary="The reports the caller may run", responses=LIST_REPORTS_RESPONSES)
    async def list_reports(
        self,
        request: Request[Any, Any, Any],
        services: NamedDependency[HttpServices],
        cursor: Annotated[str | None, QueryParameter(description="From a previous `next`.")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=PAGE_SIZE_CEILING)] = DEFAULT_PAGE_SIZE,
    ) -> ReportPageBody:
        """Reports by id (administrators: all of them), a page at a time."""
        principal = principal_of(request)
        page = await services.list_reports.execute(
            ListReportsQuery(principal, after=cursor, limit=limit)
        )
        next_url = services.links.next_page(request, "/api/v1/reports", page.next_after)
        bodies = [report_body(report, full=principal.is_admin) for report in page.reports]
        return ReportPageBody(reports=bodies, next=next_url)

    @get(
        "/{report_id:str}",
        summary="One report",
        responses=GET_REPORT_RESPONSES,
        response_headers=REPORT_VERSION_HEADERS,
    )
    async def get_report(
        self,
        request: Request[Any, Any, Any],
        report_id: Annotated[str, PathParameter(description="The report's id.")],
        services: NamedDependency[HttpServices],
    ) -> Response[ReportBody]:
        """The report and its ``ETag``; 404 when the caller may not see it."""
        principal = principal_of(request)
        report = await services.get_report.execute(GetReportQuery(principal, report_id))
        body = report_body(report, full=principal.is_admin)
        return Response(body, headers={"ETag": etag(report.version)})
