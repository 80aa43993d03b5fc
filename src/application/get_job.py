"""Read one job: the use case behind ``GET /api/v1/jobs/{jobId}``."""

from dataclasses import dataclass

from application.authentication import authenticate_job_reader
from application.job_access import visible_job
from application.ports import TokenVerifier, UnitOfWork
from domain.jobs import Job


@dataclass(frozen=True, slots=True)
class GetJobQuery:
    """A caller asks for a job by id."""

    token: str | None
    job_id: str


class GetJobUseCase:
    """Return a job to a caller allowed to see it.

    Business rules:
    - The caller presents a valid token with ``reports:generate`` or
      ``reports:admin`` (``AuthenticationFailed``, ``PermissionDenied``).
    - Only the caller who created the job, or an administrator, sees it; for
      anyone else it does not exist (``JobNotFound``, the same answer as for an
      unknown id, so ids cannot be probed).
    """

    def __init__(self, *, unit_of_work: UnitOfWork, token_verifier: TokenVerifier) -> None:
        self._uow = unit_of_work
        self._verifier = token_verifier

    async def execute(self, query: GetJobQuery) -> Job:
        """The job, or ``JobNotFound``."""
        principal = authenticate_job_reader(self._verifier, query.token)
        async with self._uow as uow:
            return await visible_job(uow, principal, query.job_id)
