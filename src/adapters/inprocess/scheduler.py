"""``InProcessJobScheduler``: the ``JobScheduler`` port on an in-memory ``asyncio.Queue``.

The embedded default when no Redis is configured: ``reportgen serve`` runs the
jobs itself, a few at a time, and sweeps them as an arq worker's cron would.
Queued jobs do not survive a restart; their records stay, and the first sweep
after a start hands every queued job to the runner again.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from adapters.inprocess.periodic import PeriodicTask
from application.common.errors import SchedulerUnavailable
from application.jobs.ports import JobHandler, JobMessage, JobOutcome

logger = logging.getLogger(__name__)

Sweep = Callable[[bool], Awaitable[object]]
"""One housekeeping sweep; ``True`` on the first, after a start, when the queue is empty
and every queued job must be handed over again."""


class InProcessJobScheduler:
    """Runs each queued job through ``handler`` in this process, ``concurrency`` at a time,
    and ``sweep`` every ``sweep_interval`` (at once on start)."""

    def __init__(
        self,
        handler: JobHandler,
        *,
        sweep: Sweep,
        sweep_interval: timedelta,
        concurrency: int,
        max_queue: int,
        stop_timeout: timedelta = timedelta(seconds=5),
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if max_queue < 1:
            raise ValueError("max_queue must be at least 1")
        self._handler = handler
        self._sweeper = PeriodicTask(_first_then_periodic(sweep), sweep_interval)
        self._stop_timeout = stop_timeout.total_seconds()
        self._concurrency = concurrency
        self._queue: asyncio.Queue[JobMessage] = asyncio.Queue(maxsize=max_queue)
        self._workers: list[asyncio.Task[None]] = []
        self._delayed: set[asyncio.TimerHandle] = set()
        self._accepting = False

    async def enqueue(self, message: JobMessage) -> None:
        """Queue the job; raise ``SchedulerUnavailable`` if not running or the queue is full."""
        if not self._accepting:
            raise SchedulerUnavailable("The job runner is not running.")
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            raise SchedulerUnavailable("The job queue is full.") from None

    async def ping(self) -> None:
        """Answer while the runner is running; raise ``SchedulerUnavailable`` otherwise."""
        if not self._accepting:
            raise SchedulerUnavailable("The job runner is not running.")

    async def start(self) -> None:
        """Start the worker tasks and the sweep, and accept jobs; nothing if already running."""
        if self._workers:
            return
        self._accepting = True
        self._workers = [
            asyncio.create_task(self._work(), name=f"reportgen-job-runner-{number}")
            for number in range(self._concurrency)
        ]
        self._sweeper.start()

    async def stop(self) -> None:
        """Stop the sweep and accepting jobs, cancel the running ones, wait for the workers.

        Waits at most ``stop_timeout`` for a job that ignores cancellation.
        """
        await self._sweeper.stop()
        self._accepting = False
        for handle in self._delayed:
            handle.cancel()
        self._delayed.clear()
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.cancel()
        if not workers:
            return
        _, pending = await asyncio.wait(workers, timeout=self._stop_timeout)
        if pending:
            logger.warning("%d job runner task(s) did not stop in time.", len(pending))

    async def join(self) -> None:
        """Wait until every queued job has been handled."""
        await self._queue.join()

    async def _work(self) -> None:
        while True:
            message = await self._queue.get()
            try:
                run = await self._handler(message)
            except Exception:
                logger.exception("Job %s failed in the in-process runner.", message.job_id)
            else:
                if run.outcome is JobOutcome.RETRY_LATER and run.retry_in is not None:
                    self._run_later(message, run.retry_in)
            finally:
                self._queue.task_done()

    def _run_later(self, message: JobMessage, delay: timedelta) -> None:
        """Queue ``message`` again after ``delay``, without holding a worker meanwhile."""

        def requeue() -> None:
            self._delayed.discard(handle)
            if self._accepting:
                try:
                    self._queue.put_nowait(message)
                except asyncio.QueueFull:
                    logger.warning("Job %s not retried: the job queue is full.", message.job_id)

        handle = asyncio.get_running_loop().call_later(delay.total_seconds(), requeue)
        self._delayed.add(handle)


def _first_then_periodic(sweep: Sweep) -> Callable[[], Awaitable[object]]:
    first = True

    async def run() -> object:
        nonlocal first
        redeliver_all, first = first, False
        return await sweep(redeliver_all)

    return run
