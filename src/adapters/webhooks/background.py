"""Delivering callbacks in the background of a process: an asyncio task per job."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from application.webhooks.deliver_job_callback import CallbackAttempt, DeliverJobCallbackCommand

logger = logging.getLogger(__name__)

Deliver = Callable[[DeliverJobCallbackCommand], Awaitable[CallbackAttempt]]


class BackgroundCallbacks:
    """The ``CallbackDispatcher`` port on asyncio tasks of the running loop.

    Each dispatched job gets one task that makes an attempt and, while the
    callback is pending and its next wait is at most ``follow_up``, waits and
    tries again; a longer wait, or this process stopping, leaves it to the
    periodic sweep (the callback's due time is in the database). A job already
    being delivered here is not dispatched twice. At most ``concurrency`` attempts
    run at once (a burst of ended jobs, or a sweep after a receiver's outage, would
    otherwise open a connection and take database turns for each); the others wait
    their turn, unclaimed, so another process may send them meanwhile. Each attempt
    made is told to ``on_attempt`` (the worker's metrics), when given.
    """

    def __init__(
        self,
        deliver: Deliver,
        *,
        follow_up: timedelta,
        concurrency: int = 16,
        on_attempt: Callable[[CallbackAttempt], object] | None = None,
    ) -> None:
        self._deliver = deliver
        self._follow_up = follow_up
        self._on_attempt = on_attempt
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: dict[str, asyncio.Task[None]] = {}

    @property
    def in_progress(self) -> frozenset[str]:
        """The jobs whose callbacks this process is delivering (or waiting to retry)."""
        return frozenset(self._tasks)

    def dispatch(self, job_id: str) -> None:
        """Start delivering ``job_id``'s callback; returns at once."""
        if job_id in self._tasks:
            return
        task = asyncio.get_running_loop().create_task(
            self._run(job_id), name=f"reportgen-callback-{job_id}"
        )
        self._tasks[job_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(job_id, None))

    async def _run(self, job_id: str) -> None:
        command = DeliverJobCallbackCommand(job_id)
        while True:
            try:
                async with self._slots:
                    attempt = await self._deliver(command)
            except Exception:
                logger.exception("Job %s: the callback could not be delivered now.", job_id)
                return
            if attempt.attempted and self._on_attempt is not None:
                self._on_attempt(attempt)
            wait = attempt.retry_in
            if not attempt.attempted or wait is None or wait > self._follow_up:
                return
            await asyncio.sleep(max(wait.total_seconds(), 0.0))

    async def start(self) -> None:
        """Nothing to start: tasks begin with ``dispatch``."""

    async def stop(self) -> None:
        """Cancel the deliveries in progress; the sweep takes them up after their hold."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
