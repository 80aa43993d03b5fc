"""A coroutine run every so often in the background: the embedded worker's sweep."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

logger = logging.getLogger(__name__)


class PeriodicTask:
    """Runs ``action`` at once, then every ``interval``, until stopped; errors are logged."""

    def __init__(self, action: Callable[[], Awaitable[object]], interval: timedelta) -> None:
        self._action = action
        self._interval = interval.total_seconds()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start running in the background; does nothing if already running."""
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="reportgen-periodic")

    async def stop(self) -> None:
        """Stop, waiting for a run in progress to be cancelled."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _loop(self) -> None:
        while True:
            try:
                outcome = await self._action()
                logger.debug("Periodic task: %s", outcome)
            except Exception:
                logger.exception("The periodic task failed; it runs again later.")
            await asyncio.sleep(self._interval)
