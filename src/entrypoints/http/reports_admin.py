"""Managing report configurations (``reports:admin``): create, replace, delete, history."""

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import HeaderParameter, JSONBody, PathParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from application.reports.create_report import CreateReportCommand
from application.reports.delete_report import DeleteReportCommand
from application.reports.read_report_history import ReadReportHistoryQuery
from application.reports.replace_report import ReplaceReportCommand
from domain.errors import InvalidReportConfiguration
from domain.reports import ReportConfiguration
from entrypoints.http.dependencies import HttpServices
from entrypoints.http.identity import administrators_only, principal_of
from entrypoints.http.job_bodies import rfc3339
from entrypoints.http.openapi import (
    CREATE_REPORT_RESPONSES,
    DELETE_REPORT_RESPONSES,
    REPLACE_REPORT_RESPONSES,
    REPORT_HISTORY_RESPONSES,
    REPORT_VERSION_HEADERS,
)
from entrypoints.http.report_bodies import ReportBody, report_body
from entrypoints.http.report_input import ReportInput, to_report
from entrypoints.http.versions import etag, expected_version

ReportId = Annotated[str, PathParameter(description="The report's id.")]
IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        description="The `ETag` the report was read with, quotes included; required (428).",
    ),
]


class ChangeBody(msgspec.Struct, rename="camel", omit_defaults=True):
    """One entry of a report's audit trail."""

    action: str
    actor: str
    at: str
    version: int
    report: ReportBody | None = None


class ReportAdminController(Controller):
    """Report configurations as a managed resource, with versions (ETag, If-Match)."""

    path = "/"  # mounted under /api/v1/reports by the app
    tags = ["Reports"]  # noqa: RUF012 - Litestar reads a plain class attribute
    security = [{"BearerToken": []}]  # noqa: RUF012
    guards = [administrators_only]  # noqa: RUF012 - 403 before the body is judged
    request_max_body_size = 256 * 1024

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        responses=CREATE_REPORT_RESPONSES,
        response_headers=REPORT_VERSION_HEADERS,
        summary="Create a report",
    )
    async def create_report(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ReportInput],
        services: NamedDependency[HttpServices],
    ) -> Response[ReportBody]:
        """201 with the report, its ``ETag`` and ``Location``."""
        command = CreateReportCommand(principal_of(request), to_report(data))
        saved = await services.create_report.execute(command)
        location = f"{services.links.base(request)}/api/v1/reports/{saved.id}"
        return _saved(request, saved, HTTP_201_CREATED, {"Location": location})

    @put(
        "/{report_id:str}",
        responses=REPLACE_REPORT_RESPONSES,
        response_headers=REPORT_VERSION_HEADERS,
        summary="Replace a report",
    )
    async def replace_report(
        self,
        request: Request[Any, Any, Any],
        report_id: ReportId,
        data: JSONBody[ReportInput],
        services: NamedDependency[HttpServices],
        if_match: IfMatch = None,
    ) -> Response[ReportBody]:
        """The report as saved; ``If-Match`` must carry the ETag it was read with."""
        if data.id != report_id:
            raise InvalidReportConfiguration(
                "The id in the body differs from the URL's.", field="id"
            )
        command = ReplaceReportCommand(
            principal_of(request), to_report(data), expected_version(if_match)
        )
        saved = await services.replace_report.execute(command)
        return _saved(request, saved, 200)

    @delete(
        "/{report_id:str}",
        status_code=HTTP_204_NO_CONTENT,
        responses=DELETE_REPORT_RESPONSES,
        summary="Delete a report",
    )
    async def delete_report(
        self,
        request: Request[Any, Any, Any],
        report_id: ReportId,
        services: NamedDependency[HttpServices],
        if_match: IfMatch = None,
    ) -> None:
        """204; its jobs and their unexpired results stay."""
        await services.delete_report.execute(
            DeleteReportCommand(principal_of(request), report_id, expected_version(if_match))
        )

    @get(
        "/{report_id:str}/history",
        responses=REPORT_HISTORY_RESPONSES,
        summary="Who created, changed or deleted a report",
    )
    async def report_history(
        self,
        request: Request[Any, Any, Any],
        report_id: ReportId,
        services: NamedDependency[HttpServices],
    ) -> list[ChangeBody]:
        """The audit trail, oldest first."""
        query = ReadReportHistoryQuery(principal_of(request), report_id)
        changes = await services.read_report_history.execute(query)
        return [
            ChangeBody(
                action=change.action.value,
                actor=change.actor,
                at=rfc3339(change.at) or "",
                version=change.version,
                report=None if change.report is None else report_body(change.report, full=True),
            )
            for change in changes
        ]


def _saved(
    request: Request[Any, Any, Any],
    report: ReportConfiguration,
    status: int,
    headers: dict[str, str] | None = None,
) -> Response[ReportBody]:
    return Response(
        report_body(report, full=True),
        status_code=status,
        headers={"ETag": etag(report.version), **(headers or {})},
    )
