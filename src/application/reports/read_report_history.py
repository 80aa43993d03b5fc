"""Read a report's audit trail: ``GET /api/v1/reports/{reportId}/history``."""

from dataclasses import dataclass

from application.common.ports import UnitOfWork
from domain.errors import ReportNotFound
from domain.principal import Principal
from domain.report_changes import ReportChange


@dataclass(frozen=True, slots=True)
class ReadReportHistoryQuery:
    """An administrator asks who changed a report, and when."""

    principal: Principal
    report_id: str


class ReadReportHistoryUseCase:
    """The changes of one report, oldest first, also after it was deleted.

    Business rules:
    - Only administrators read the audit trail (``PermissionDenied``).
    - A report that never existed has no trail (``ReportNotFound``).
    """

    def __init__(self, *, unit_of_work: UnitOfWork) -> None:
        self._uow = unit_of_work

    async def execute(self, query: ReadReportHistoryQuery) -> list[ReportChange]:
        """The trail."""
        query.principal.ensure_admin()
        async with self._uow as uow:
            changes = await uow.history.of(query.report_id)
        if not changes:
            raise ReportNotFound(query.report_id)
        return changes
