"""Delete a report configuration: the use case behind ``DELETE /api/v1/reports/{reportId}``."""

from dataclasses import dataclass

from application.common.ports import Clock, UnitOfWork
from application.reports.ports import ReportCatalog
from application.reports.versions import ExpectedVersion, report_at_version, version_read
from domain.errors import StaleReportVersion
from domain.principal import Principal
from domain.report_changes import ReportChange


@dataclass(frozen=True, slots=True)
class DeleteReportCommand:
    """An administrator deletes a report it read at ``expected_version``."""

    principal: Principal
    report_id: str
    expected_version: ExpectedVersion | None


class DeleteReportUseCase:
    """Delete a report configuration; its jobs and their results stay.

    Business rules:
    - Only administrators manage reports (``PermissionDenied``).
    - The caller says which version it read (``VersionRequired``); a stale one
      is refused (``StaleReportVersion``).
    - The jobs of the report keep their history, and their unexpired results
      stay downloadable; the audit trail records the deletion.
    - The next generate on this process sees the deletion at once.
    """

    def __init__(self, *, unit_of_work: UnitOfWork, clock: Clock, catalog: ReportCatalog) -> None:
        self._uow = unit_of_work
        self._clock = clock
        self._catalog = catalog

    async def execute(self, command: DeleteReportCommand) -> None:
        """Delete, or raise the broken rule."""
        admin = command.principal
        admin.ensure_admin()
        version = version_read(command.expected_version)
        async with self._uow as uow:
            current = await report_at_version(uow, command.report_id, version)
            if not await uow.reports.remove(current.id, expected_version=current.version):
                raise StaleReportVersion(current.version + 1)
            await uow.history.record(
                ReportChange.deleted(current, admin.subject, self._clock.now())
            )
            await uow.commit()
        self._catalog.changed()
