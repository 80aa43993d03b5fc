"""List report configurations: the use case behind ``GET /api/v1/reports``."""

from dataclasses import dataclass

from application.authentication import authenticate
from application.ports import TokenVerifier, UnitOfWork
from domain.principal import Principal
from domain.reports import ReportConfiguration

MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class ListReportsQuery:
    """A page of reports: the id after which it starts, and how many."""

    token: str | None
    after: str | None = None
    limit: int = 50


@dataclass(frozen=True, slots=True)
class ReportPage:
    """Reports by id, as ``viewer`` may see them; ``next_after`` starts the next page."""

    reports: list[ReportConfiguration]
    viewer: Principal
    next_after: str | None


class ListReportsUseCase:
    """List the report configurations a caller may see, a page at a time.

    Business rules:
    - The caller presents a valid token (``AuthenticationFailed``).
    - Administrators (``reports:admin``) see every report; other callers the
      reports they may generate (``ReportConfiguration.is_visible_to``).
    - A page holds 1 to ``MAX_PAGE_SIZE`` reports, in id order.
    """

    def __init__(self, *, unit_of_work: UnitOfWork, token_verifier: TokenVerifier) -> None:
        self._uow = unit_of_work
        self._verifier = token_verifier

    async def execute(self, query: ListReportsQuery) -> ReportPage:
        """One page of the visible reports."""
        principal = authenticate(self._verifier, query.token)
        async with self._uow as uow:
            reports = await uow.reports.all()
        visible = [
            report
            for report in reports
            if report.is_visible_to(principal) and (query.after is None or report.id > query.after)
        ]
        size = max(1, min(query.limit, MAX_PAGE_SIZE))
        page = visible[:size]
        next_after = page[-1].id if len(visible) > size else None
        return ReportPage(reports=page, viewer=principal, next_after=next_after)
