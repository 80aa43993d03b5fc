"""Create a report configuration: the use case behind ``POST /api/v1/reports``."""

from dataclasses import dataclass, replace

from application.common.ports import Clock, UnitOfWork
from application.reports.ports import ReportCatalog, ReportQueries
from application.reports.validation import check_report
from domain.errors import ReportAlreadyExists
from domain.principal import Principal
from domain.report_changes import ReportChange
from domain.reports import ReportConfiguration


@dataclass(frozen=True, slots=True)
class CreateReportCommand:
    """An administrator's new report (its version and timestamps are set here)."""

    principal: Principal
    report: ReportConfiguration


class CreateReportUseCase:
    """Save a new report configuration and record who created it.

    Business rules:
    - Only administrators manage reports (``PermissionDenied``).
    - The configuration follows every rule, and its data source accepts its
      query (``InvalidReportConfiguration``, naming the field).
    - Ids are unique (``ReportAlreadyExists``).
    - The report starts at version 1; the audit trail records the creation.
    - The next generate on this process sees the change at once.
    """

    def __init__(
        self,
        *,
        unit_of_work: UnitOfWork,
        queries: ReportQueries,
        clock: Clock,
        catalog: ReportCatalog,
    ) -> None:
        self._uow = unit_of_work
        self._queries = queries
        self._clock = clock
        self._catalog = catalog

    async def execute(self, command: CreateReportCommand) -> ReportConfiguration:
        """The report as saved."""
        admin = command.principal
        admin.ensure_admin()
        await check_report(self._queries, command.report)
        now = self._clock.now()
        report = replace(command.report, version=1, created_at=now, updated_at=now)
        async with self._uow as uow:
            if await uow.reports.get(report.id) is not None:
                raise ReportAlreadyExists(report.id)
            await uow.reports.add(report)
            await uow.history.record(ReportChange.created(report, admin.subject, now))
            await uow.commit()
        self._catalog.changed()
        return report
