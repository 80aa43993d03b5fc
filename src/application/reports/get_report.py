"""Read one report configuration: the use case behind ``GET /api/v1/reports/{reportId}``."""

from dataclasses import dataclass

from application.common.ports import UnitOfWork
from domain.errors import ReportNotFound
from domain.principal import Principal
from domain.reports import ReportConfiguration


@dataclass(frozen=True, slots=True)
class GetReportQuery:
    """A caller asks for a report by id."""

    principal: Principal
    report_id: str


class GetReportUseCase:
    """Return a report configuration to a caller who may see it.

    Business rules:
    - A report the caller may not see does not exist for them
      (``ReportNotFound``, as for an unknown id;
      ``ReportConfiguration.is_visible_to``).
    """

    def __init__(self, *, unit_of_work: UnitOfWork) -> None:
        self._uow = unit_of_work

    async def execute(self, query: GetReportQuery) -> ReportConfiguration:
        """The report, or ``ReportNotFound``."""
        async with self._uow as uow:
            report = await uow.reports.get(query.report_id)
        if report is None or not report.is_visible_to(query.principal):
            raise ReportNotFound(query.report_id)
        return report
