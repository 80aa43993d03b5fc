"""List report configurations: the use case behind ``GET /api/v1/reports``."""

from dataclasses import dataclass

from application.common.paging import page_size
from application.common.ports import UnitOfWork
from domain.principal import Principal
from domain.reports import ReportConfiguration

#: Reports on a page when the caller does not say.
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class ListReportsQuery:
    """A page of reports: the id after which it starts, and how many."""

    principal: Principal
    after: str | None = None
    limit: int = DEFAULT_PAGE_SIZE


@dataclass(frozen=True, slots=True)
class ReportPage:
    """Reports by id; ``next_after`` starts the next page."""

    reports: list[ReportConfiguration]
    next_after: str | None


class ListReportsUseCase:
    """List the report configurations a caller may see, a page at a time.

    Business rules:
    - Administrators see every report; other callers the reports they may
      generate (``ReportConfiguration.is_visible_to``).
    - A page holds 1 to ``max_page_size`` reports, in id order.
    """

    def __init__(self, *, unit_of_work: UnitOfWork, max_page_size: int) -> None:
        self._uow = unit_of_work
        self._max_page_size = max_page_size

    async def execute(self, query: ListReportsQuery) -> ReportPage:
        """One page of the visible reports."""
        async with self._uow as uow:
            reports = await uow.reports.all()
        visible = [
            report
            for report in reports
            if report.is_visible_to(query.principal)
            and (query.after is None or report.id > query.after)
        ]
        size = page_size(query.limit, self._max_page_size)
        page = visible[:size]
        next_after = page[-1].id if len(visible) > size else None
        return ReportPage(reports=page, next_after=next_after)
