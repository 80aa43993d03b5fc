"""List the caller's jobs: the use case behind ``GET /api/v1/jobs``."""

from dataclasses import dataclass
from datetime import datetime

from application.authentication import authenticate_job_reader
from application.ports import JobQuery, TokenVerifier, UnitOfWork
from domain.jobs import Job, JobStatus

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class ListJobsQuery:
    """A page of jobs: filters, and where the previous page ended."""

    token: str | None
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
    - The caller presents a valid token with ``reports:generate`` or
      ``reports:admin``.
    - A caller sees only the jobs they created; an administrator sees all.
    - A page holds 1 to ``MAX_PAGE_SIZE`` jobs (a larger ask is capped).
    """

    def __init__(self, *, unit_of_work: UnitOfWork, token_verifier: TokenVerifier) -> None:
        self._uow = unit_of_work
        self._verifier = token_verifier

    async def execute(self, query: ListJobsQuery) -> JobPage:
        """One page of jobs."""
        principal = authenticate_job_reader(self._verifier, query.token)
        limit = max(1, min(query.limit, MAX_PAGE_SIZE))
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
