"""Download a job's file: the use case behind ``GET /api/v1/jobs/{jobId}/result``."""

from dataclasses import dataclass

from application.authentication import authenticate_job_reader
from application.job_access import visible_job
from application.ports import Clock, TokenVerifier, UnitOfWork
from domain.errors import JobNotReady, ResultExpired
from domain.jobs import JobStatus, StoredResult


@dataclass(frozen=True, slots=True)
class GetJobResultQuery:
    """A caller asks for a job's file."""

    token: str | None
    job_id: str


class GetJobResultUseCase:
    """Return where a job's file is kept, when it may be downloaded.

    Business rules:
    - The same callers who may read the job may download it (``JobNotFound``).
    - A job that has not finished, failed or was cancelled has no file
      (``JobNotReady``, saying which).
    - A file is kept until the job's ``expires_at``; after that it is gone
      (``ResultExpired``).
    """

    def __init__(
        self, *, unit_of_work: UnitOfWork, token_verifier: TokenVerifier, clock: Clock
    ) -> None:
        self._uow = unit_of_work
        self._verifier = token_verifier
        self._clock = clock

    async def execute(self, query: GetJobResultQuery) -> StoredResult:
        """The stored file's description; the caller streams it from the result store."""
        principal = authenticate_job_reader(self._verifier, query.token)
        async with self._uow as uow:
            job = await visible_job(uow, principal, query.job_id)
        if job.status is JobStatus.FAILED:
            raise JobNotReady(f"The job failed: {job.error or 'no reason recorded'}")
        if job.status is JobStatus.CANCELLED:
            raise JobNotReady("The job was cancelled.")
        if job.status is not JobStatus.SUCCEEDED:
            raise JobNotReady(f"The job has not finished yet ({job.status.value}).")
        if job.result is None or not job.result_is_available(self._clock.now()):
            raise ResultExpired()
        return job.result
