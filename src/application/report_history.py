"""Read a report's audit trail: ``GET /api/v1/reports/{reportId}/history``."""

from dataclasses import dataclass

from application.ports import ReportChange, TokenVerifier, UnitOfWork
from application.report_admin import authenticate_admin
from domain.errors import ReportNotFound


@dataclass(frozen=True, slots=True)
class ReportHistoryQuery:
    """An administrator asks who changed a report, and when."""

    token: str | None
    report_id: str


class ReportHistoryUseCase:
    """The changes of one report, oldest first, also after it was deleted.

    Business rules:
    - Only ``reports:admin`` callers read the audit trail (``PermissionDenied``).
    - A report that never existed has no trail (``ReportNotFound``).
    """

    def __init__(self, *, unit_of_work: UnitOfWork, token_verifier: TokenVerifier) -> None:
        self._uow = unit_of_work
        self._verifier = token_verifier

    async def execute(self, query: ReportHistoryQuery) -> list[ReportChange]:
        """The trail."""
        authenticate_admin(self._verifier, query.token)
        async with self._uow as uow:
            changes = await uow.history.of(query.report_id)
        if not changes:
            raise ReportNotFound(query.report_id)
        return changes
