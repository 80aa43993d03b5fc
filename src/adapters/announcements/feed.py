"""What the three job-change feeds share: the process's waiters, a listener kept up after
failures, and announcement failures logged once until one succeeds again."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from adapters.announcements.hub import Waiter, WaiterHub

logger = logging.getLogger(__name__)


class ChangeFeed:
    """The ``JobChangeFeed`` side of a feed, and the failure log of its announcer.

    A subclass gives ``_listen_once(hub)``: subscribe, call ``hub.ready()``, hand what
    it hears to ``hub.deliver``. It raises one of ``listen_errors`` when the channel
    fails (it is opened again after ``retry_seconds``) and returns when there is
    nothing to listen to.
    """

    source = ""
    listen_errors: tuple[type[BaseException], ...] = (OSError,)

    def __init__(self, *, ready_timeout: float = 1.0, retry_seconds: float = 1.0) -> None:
        self._hub = WaiterHub(self._keep_listening, ready_timeout=ready_timeout)
        self._retry_seconds = retry_seconds
        self._failing = False

    @asynccontextmanager
    async def watch(self, job_id: str) -> AsyncIterator[Waiter]:
        """Changes of ``job_id`` from now on."""
        async with self._hub.watch(job_id) as waiter:
            yield waiter

    def stop_watching(self) -> None:
        """The process is stopping: every watch closes now, and each new one at once, so
        that no wait or event stream holds the process (their callers ask again)."""
        self._hub.close()

    async def start(self) -> None:
        """Nothing to open before the first waiter."""

    async def stop(self) -> None:
        """Stop listening."""
        await self._hub.stop()

    async def _listen_once(self, hub: WaiterHub) -> None:
        raise NotImplementedError

    async def _keep_listening(self, hub: WaiterHub) -> None:
        while True:
            try:
                await self._listen_once(hub)
                return
            except self.listen_errors as error:
                logger.warning("Not hearing job changes (%s): %s; retrying.", self.source, error)
            hub.ready(False)
            await asyncio.sleep(self._retry_seconds)

    def _announced(self, error: BaseException | None = None) -> None:
        """Log the first of a run of failed announcements (``error``), not the others."""
        if error is not None and not self._failing:
            logger.warning("Job changes not announced (%s): %s", self.source, error)
        self._failing = error is not None
