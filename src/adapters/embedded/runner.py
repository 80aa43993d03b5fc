"""``EmbeddedJobRunner``: the claim-and-run loops of an embedded worker process, where the
database is the queue.

A job is queued by committing its record (``JobIntake``); there is no queue in
memory to fill up or to lose. Runner tasks take the oldest due job, run it, and
look again every ``poll_interval`` when none is due, or at once when woken up
(an API process nudges the workers after each commit of new jobs). Without
Redis, ``reportgen serve`` starts the worker processes that hold them.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from application.common.errors import ServiceUnavailable
from application.jobs.ports import JobOutcome, JobRun

logger = logging.getLogger(__name__)

RunNext = Callable[[], Awaitable[JobRun | None]]
"""Runs the next due job; ``None`` when there is none (``RunNextJobUseCase.execute``)."""

FIRST_LOOK_AFTER_WAKE_UP = 0.005
"""Seconds: how soon a runner woken up looks again when its first look found nothing."""


class EmbeddedJobRunner:
    """Runs due jobs from the database, ``concurrency`` at a time."""

    def __init__(
        self,
        run_next: RunNext,
        *,
        concurrency: int,
        poll_interval: timedelta,
        stop_timeout: timedelta = timedelta(seconds=5),
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._run_next = run_next
        self._concurrency = concurrency
        self._poll_seconds = poll_interval.total_seconds()
        self._stop_seconds = stop_timeout.total_seconds()
        self._workers: list[asyncio.Task[None]] = []
        self._wake_up = asyncio.Event()

    @property
    def running(self) -> bool:
        """Whether the runner tasks run."""
        return bool(self._workers)

    def wake(self) -> None:
        """Make every idle runner task look for a due job now, not at its next poll."""
        self._wake_up.set()

    async def start(self) -> None:
        """Start the runner tasks; nothing if already running."""
        if self._workers:
            return
        self._workers = [
            asyncio.create_task(self._work(), name=f"reportgen-job-runner-{number}")
            for number in range(self._concurrency)
        ]

    async def stop(self) -> None:
        """Stop the runner tasks; a job they were running goes back to the queue when its
        lease expires. Waits at most ``stop_timeout`` for a task to end."""
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.cancel()
        if workers:
            _, pending = await asyncio.wait(workers, timeout=self._stop_seconds)
            if pending:
                logger.warning("%d job runner task(s) did not stop in time.", len(pending))

    async def _work(self) -> None:
        soon = 0.0  # after a wake-up: how soon to look again; 0 when polling as usual
        while True:
            # A wake-up from here on means new jobs this look may not see: look again then.
            self._wake_up.clear()
            try:
                run = await self._run_next()
            except ServiceUnavailable as exc:
                logger.warning("The job runner waits: %s", exc.message)
                run = None
            except Exception:
                logger.exception("The job runner failed; it carries on.")
                run = None
            if run is not None and run.outcome is not JobOutcome.RETRY_LATER:
                soon = 0.0
                continue
            # Nothing due, or the database did not take the claim: look again later.
            if await self._idle(soon or self._poll_seconds):
                # A wake-up is sent before the new jobs' commit ends: look now, then again
                # soon after, more and more slowly, until the next poll would come first.
                soon = FIRST_LOOK_AFTER_WAKE_UP
            else:
                soon = soon * 2 if soon * 2 < self._poll_seconds else 0.0

    async def _idle(self, seconds: float) -> bool:
        """Wait ``seconds`` or until woken up; whether woken up."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake_up.wait()
                return True
        return False
