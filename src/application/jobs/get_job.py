"""Read one job: the use case behind ``GET /api/v1/jobs/{jobId}``."""

from dataclasses import dataclass

from application.common.ports import UnitOfWork
from application.jobs.job_records import visible_job
from domain.jobs import Job
from domain.principal import Principal


@dataclass(frozen=True, slots=True)
class GetJobQuery:
    """A caller asks for a job by id."""

    principal: Principal
    job_id: str


class GetJobUseCase:
    """Return a job to a caller allowed to see it.

    Business rules:
    - The caller may read jobs: ``reports:generate`` or ``reports:admin``
      (``PermissionDenied``).
    - Only the caller who created the job, or an administrator, sees it; for
      anyone else it does not exist (``JobNotFound``, the same answer as for an
      unknown id, so ids cannot be probed).
    """

    def __init__(self, *, unit_of_work: UnitOfWork) -> None:
        self._uow = unit_of_work

    async def execute(self, query: GetJobQuery) -> Job:
        """The job, or ``JobNotFound``."""
        async with self._uow as uow:
            return await visible_job(uow, query.principal, query.job_id)
