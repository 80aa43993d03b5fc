"""Take the next queued job and run it: the embedded mode, where the database is the queue."""

from collections.abc import Callable

from application.common.ports import Clock, UnitOfWork
from application.jobs.ports import JobMessage, JobOutcome, JobRun
from application.jobs.run_report_job import RunReportJobUseCase


class RunNextJobUseCase:
    """Run the oldest queued job that is due, if there is one.

    Business rules:
    - The committed job record is the queue entry: a job is taken only once its
      creator committed it, and nothing is lost with a process.
    - Jobs run oldest first; one given back with backoff waits until it is due.
    - Of several workers taking the same job, exactly one runs it (the claim of
      ``RunReportJobUseCase``); the others go on to the next one.
    """

    def __init__(
        self,
        *,
        unit_of_work: UnitOfWork,
        clock: Clock,
        run_job: Callable[[], RunReportJobUseCase],
        look_ahead: int,
    ) -> None:
        self._uow = unit_of_work
        self._clock = clock
        self._run_job = run_job
        self._look_ahead = look_ahead

    async def execute(self) -> JobRun | None:
        """The run of the job taken, or ``None`` when no job is due; ``ServiceUnavailable``
        when the database does not answer."""
        async with self._uow as uow:
            due = await uow.jobs.due(self._clock.now(), self._look_ahead)
        for job in due:
            run = await self._run_job().execute(JobMessage(job.id, job.created_at))
            if run.outcome is not JobOutcome.ALREADY_HANDLED:
                return run
        return None
