"""Replace a report configuration: the use case behind ``PUT /api/v1/reports/{reportId}``."""

from dataclasses import dataclass, replace

from application.common.ports import Clock, UnitOfWork
from application.reports.ports import ReportCatalog, ReportQueries
from application.reports.validation import check_report
from application.reports.versions import ExpectedVersion, report_at_version, version_read
from domain.errors import StaleReportVersion
from domain.principal import Principal
from domain.report_changes import ReportChange
from domain.reports import ReportConfiguration


@dataclass(frozen=True, slots=True)
class ReplaceReportCommand:
    """An administrator's new version of a report, read at ``expected_version``."""

    principal: Principal
    report: ReportConfiguration
    expected_version: ExpectedVersion | None


class ReplaceReportUseCase:
    """Overwrite a report configuration, unless someone changed it meanwhile.

    Business rules:
    - Only administrators manage reports (``PermissionDenied``).
    - The caller says which version it read (``VersionRequired`` without it);
      a version that is no longer current is refused (``StaleReportVersion``):
      two administrators never silently overwrite each other.
    - The configuration follows every rule and its query is accepted by its
      data source (``InvalidReportConfiguration``).
    - The version goes up by one; the audit trail records the change.
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

    async def execute(self, command: ReplaceReportCommand) -> ReportConfiguration:
        """The report as saved."""
        admin = command.principal
        admin.ensure_admin()
        version = version_read(command.expected_version)
        await check_report(self._queries, command.report)
        now = self._clock.now()
        async with self._uow as uow:
            current = await report_at_version(uow, command.report.id, version)
            report = replace(
                command.report,
                version=current.version + 1,
                created_at=current.created_at,
                updated_at=now,
            )
            if not await uow.reports.replace(report, expected_version=current.version):
                raise StaleReportVersion(current.version + 1)
            await uow.history.record(ReportChange.updated(report, admin.subject, now))
            await uow.commit()
        self._catalog.changed()
        return report
