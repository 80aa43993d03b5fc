"""Cancel a job that has not finished: the use case behind ``DELETE /api/v1/jobs/{jobId}``."""

from dataclasses import dataclass

from application.common.ports import Clock, UnitOfWork
from application.jobs.file_ports import ResultStore
from application.jobs.job_records import visible_job
from application.jobs.result_keys import delete_unrecorded_files
from application.webhooks.ports import CallbackDispatcher
from domain.errors import JobAlreadyFinished
from domain.jobs import Job
from domain.principal import Principal


@dataclass(frozen=True, slots=True)
class CancelJobCommand:
    """A caller asks to cancel a job."""

    principal: Principal
    job_id: str


class CancelJobUseCase:
    """Mark a ``Queued`` or ``Running`` job ``Cancelled``.

    Business rules:
    - The same callers who may read the job may cancel it; for anyone else it
      does not exist (``JobNotFound``).
    - A finished job cannot be cancelled (``JobAlreadyFinished``).
    - The cancellation wins over a worker: the worker writes its progress and
      its outcome only while the job is still ``Running``, so it stops at its
      next batch of rows and its file is thrown away. A queued job is skipped
      when it is delivered.
    - Files its runs stored but never recorded (a worker killed between storing
      its file and recording it) are deleted once the job is cancelled; a store
      that does not answer then leaves them, logged, and the job stays cancelled.
    - A cancelled job with a ``callbackUrl`` has its webhook started in the
      background once the cancellation is committed; the answer never waits for it.
    """

    def __init__(
        self,
        *,
        unit_of_work: UnitOfWork,
        clock: Clock,
        store: ResultStore,
        callbacks: CallbackDispatcher | None = None,
    ) -> None:
        self._uow = unit_of_work
        self._clock = clock
        self._store = store
        self._callbacks = callbacks

    async def execute(self, command: CancelJobCommand) -> Job:
        """The cancelled job."""
        async with self._uow as uow:
            job = await visible_job(uow, command.principal, command.job_id)
            if job.status.is_finished:
                raise JobAlreadyFinished(f"The job has already finished ({job.status.value}).")
            seen = job.status
            job.cancel(self._clock.now())
            if not await uow.jobs.save(job, if_status=seen):
                raise JobAlreadyFinished(
                    "The job changed while it was being cancelled; read it again."
                )
            await uow.commit()
        if job.callback is not None and self._callbacks is not None:
            self._callbacks.dispatch(job.id)
        await delete_unrecorded_files(self._store, job, "cancelled")
        return job
