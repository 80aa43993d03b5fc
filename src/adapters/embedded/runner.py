"""``EmbeddedJobRunner``: the ``JobScheduler`` port of the embedded mode, where the database
is the queue.

A job is queued by committing its record (``JobIntake``); there is no queue in
memory to fill up or to lose. Runner tasks take the oldest due job, run it, and
look again every ``poll_interval`` when none is due; the sweep runs beside them,
as an arq worker's cron would. Without Redis, ``reportgen serve`` runs them.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from adapters.embedded.periodic import PeriodicTask
from application.common.errors import JobAlreadyQueued, SchedulerUnavailable, ServiceUnavailable
from application.jobs.ports import JobMessage, JobOutcome, JobRun

logger = logging.getLogger(__name__)

RunNext = Callable[[], Awaitable[JobRun | None]]
"""Runs the next due job; ``None`` when there is none (``RunNextJobUseCase.execute``)."""

Sweep = Callable[[], Awaitable[object]]
"""One housekeeping sweep (``SweepJobsUseCase.execute``)."""


class EmbeddedJobRunner:
    """Runs due jobs from the database, ``concurrency`` at a time, and sweeps every
    ``sweep_interval`` (at once on start)."""

    def __init__(
        self,
        run_next: RunNext,
        *,
        sweep: Sweep,
        sweep_interval: timedelta,
        concurrency: int,
        poll_interval: timedelta,
        stop_timeout: timedelta = timedelta(seconds=5),
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._run_next = run_next
        self._sweeper = PeriodicTask(sweep, sweep_interval)
        self._concurrency = concurrency
        self._poll_seconds = poll_interval.total_seconds()
        self._stop_seconds = stop_timeout.total_seconds()
        self._workers: list[asyncio.Task[None]] = []

    async def enqueue(self, message: JobMessage) -> None:
        """A job with a record is queued already: its committed record is its queue entry
        (``JobAlreadyQueued``, so a sweep hands nothing over and reports nothing)."""
        raise JobAlreadyQueued(message.job_id)

    async def enqueue_new(self, messages: Sequence[JobMessage]) -> None:
        """Nothing to hand over: the jobs' committed records are their queue entries (a
        runner finds them at its next poll, once they are committed)."""

    async def ping(self) -> None:
        """Answer while the runners run; ``SchedulerUnavailable`` otherwise."""
        if not self._workers:
            raise SchedulerUnavailable("The job runner is not running.")

    async def start(self) -> None:
        """Start the runners and the sweep; nothing if already running."""
        if self._workers:
            return
        self._workers = [
            asyncio.create_task(self._work(), name=f"reportgen-job-runner-{number}")
            for number in range(self._concurrency)
        ]
        self._sweeper.start()

    async def stop(self) -> None:
        """Stop the sweep and the runners; a job they were running goes back to the queue
        when its lease expires. Waits at most ``stop_timeout`` for a runner to end."""
        await self._sweeper.stop()
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.cancel()
        if workers:
            _, pending = await asyncio.wait(workers, timeout=self._stop_seconds)
            if pending:
                logger.warning("%d job runner task(s) did not stop in time.", len(pending))

    async def _work(self) -> None:
        while True:
            try:
                run = await self._run_next()
            except ServiceUnavailable as exc:
                logger.warning("The job runner waits: %s", exc.message)
                run = None
            except Exception:
                logger.exception("The job runner failed; it carries on.")
                run = None
            if run is None or run.outcome is JobOutcome.RETRY_LATER:
                # Nothing due, or the database did not take the claim: look again later.
                await asyncio.sleep(self._poll_seconds)
