"""List the caller's jobs: the use case behind ``GET /api/v1/jobs``."""

from dataclasses import dataclass
from datetime import datetime

from application.common.paging import page_size
from application.common.ports import UnitOfWork
from application.jobs.ports import JobQuery
from domain.job_status import JobStatus
from domain.jobs import Job
from domain.principal import Principal

#: Jobs on a page when the caller does not say.
DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class ListJobsQuery:
    """A page of jobs: filters, and where the previous page ended."""

    principal: Principal
    status: JobStatus | None = None
    report_id: str | None = None
    after: tuple[datetime, str] | None = None
    limit: int = DEFAULT_PAGE_SIZE


@dataclass(frozen=True, slots=True)
class JobPage:
    """Jobs, newest first, and the position to continue from (``None`` on the last page)."""

    jobs: list[Job]
    next_after: tuple[datetime, str] | None


class ListJobsUseCase:
    """List jobs newest first, a bounded page at a time.

    Business rules:
    - The caller may read jobs: ``reports:generate`` or ``reports:admin``.
    - A caller sees only the jobs they created; an administrator sees all.
    - A page holds 1 to ``max_page_size`` jobs (a larger ask is capped).
    """

    def __init__(self, *, unit_of_work: UnitOfWork, max_page_size: int) -> None:
        self._uow = unit_of_work
        self._max_page_size = max_page_size

    async def execute(self, query: ListJobsQuery) -> JobPage:
        """One page of jobs."""
        principal = query.principal
        principal.ensure_may_read_jobs()
        limit = page_size(query.limit, self._max_page_size)
        job_query = JobQuery(
            requested_by=None if principal.is_admin else principal.subject,
            status=query.status,
            report_id=query.report_id,
            before=query.after,
            limit=limit + 1,
        )
        async with self._uow as uow:
            jobs = await uow.jobs.find(job_query)
        page, more = jobs[:limit], len(jobs) > limit
        next_after = (page[-1].created_at, page[-1].id) if more else None
        return JobPage(jobs=page, next_after=next_after)
