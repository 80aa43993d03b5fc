"""Download a job's file: the use case behind ``GET /api/v1/jobs/{jobId}/result``."""

from collections.abc import AsyncIterator
from dataclasses import dataclass

from application.common.ports import Clock, UnitOfWork
from application.jobs.file_ports import ResultStore
from application.jobs.job_records import visible_job
from domain.errors import JobNotReady, ResultExpired
from domain.job_results import StoredResult
from domain.job_status import JobStatus
from domain.principal import Principal


@dataclass(frozen=True, slots=True)
class DownloadResultQuery:
    """A caller asks for a job's file."""

    principal: Principal
    job_id: str


@dataclass(frozen=True, slots=True)
class ResultDownload:
    """A file that may be downloaded: its description, and its bytes on demand."""

    result: StoredResult
    store: ResultStore

    def chunks(self, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The bytes ``start`` to ``end`` (inclusive; ``None``: to the end), in chunks."""
        return self.store.read(self.result.key, start, end)


class DownloadResultUseCase:
    """Hand out a job's file, when it may be downloaded.

    Business rules:
    - The same callers who may read the job may download it (``JobNotFound``).
    - A job that has not finished, failed or was cancelled has no file
      (``JobNotReady``, saying which).
    - A file is kept until the job's ``expires_at``; after that, or once the
      store no longer keeps it, it is gone (``ResultExpired``).
    """

    def __init__(self, *, unit_of_work: UnitOfWork, store: ResultStore, clock: Clock) -> None:
        self._uow = unit_of_work
        self._store = store
        self._clock = clock

    async def execute(self, query: DownloadResultQuery) -> ResultDownload:
        """The file to stream; raises the rule it breaks."""
        async with self._uow as uow:
            job = await visible_job(uow, query.principal, query.job_id)
        if job.status is JobStatus.FAILED:
            raise JobNotReady(f"The job failed: {job.error or 'no reason recorded'}")
        if job.status is JobStatus.CANCELLED:
            raise JobNotReady("The job was cancelled.")
        if job.status is not JobStatus.SUCCEEDED:
            raise JobNotReady(f"The job has not finished yet ({job.status.value}).")
        result = job.result
        if result is None or not job.result_is_available(self._clock.now()):
            raise ResultExpired()
        if not await self._store.exists(result.key):
            raise ResultExpired()
        return ResultDownload(result, self._store)
