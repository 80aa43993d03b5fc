"""Read one report configuration: the use case behind ``GET /api/v1/reports/{reportId}``."""

from dataclasses import dataclass

from application.authentication import authenticate
from application.ports import TokenVerifier, UnitOfWork
from domain.errors import ReportNotFound
from domain.principal import Principal
from domain.reports import ReportConfiguration


@dataclass(frozen=True, slots=True)
class GetReportQuery:
    """A caller asks for a report by id."""

    token: str | None
    report_id: str


@dataclass(frozen=True, slots=True)
class ReportView:
    """A report, and who looks at it (administrators see more of it)."""

    report: ReportConfiguration
    viewer: Principal


class GetReportUseCase:
    """Return a report configuration to a caller who may see it.

    Business rules:
    - The caller presents a valid token (``AuthenticationFailed``).
    - A report the caller may not see does not exist for them
      (``ReportNotFound``, as for an unknown id).
    """

    def __init__(self, *, unit_of_work: UnitOfWork, token_verifier: TokenVerifier) -> None:
        self._uow = unit_of_work
        self._verifier = token_verifier

    async def execute(self, query: GetReportQuery) -> ReportView:
        """The report, or ``ReportNotFound``."""
        principal = authenticate(self._verifier, query.token)
        async with self._uow as uow:
            report = await uow.reports.get(query.report_id)
        if report is None or not report.is_visible_to(principal):
            raise ReportNotFound(query.report_id)
        return ReportView(report=report, viewer=principal)
