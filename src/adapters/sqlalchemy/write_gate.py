"""One writing transaction at a time per process on SQLite.

SQLite lets one connection write at a time, and a writer that finds the lock
taken polls for it with growing sleeps, in no order: under load some writers
starve past the busy timeout while others go through. Queueing the writers of
a process on an ``asyncio.Lock`` first makes them take turns in order, so the
database lock is only contended across processes. PostgreSQL needs no gate.
"""

import asyncio
from collections.abc import Awaitable, Callable
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from application.common.errors import StorageUnavailable

BeforeWrite = Callable[[], Awaitable[None]]
"""Awaited by a repository before each write statement."""


async def no_gate() -> None:
    """Write at once: for repositories used outside a unit of work."""


_GATES: "WeakKeyDictionary[Engine, WriteGate]" = WeakKeyDictionary()


class WriteGate:
    """A lock per event loop that writing transactions hold until they end."""

    def __init__(self, *, enabled: bool, timeout_seconds: float = 2.0) -> None:
        self.enabled = enabled
        self._timeout_seconds = timeout_seconds
        self._locks: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            WeakKeyDictionary()
        )

    async def acquire(self) -> None:
        """Wait for this process's turn to write; ``StorageUnavailable`` if it does not come."""
        if not self.enabled:
            return
        lock = self._locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
        try:
            async with asyncio.timeout(self._timeout_seconds):
                await lock.acquire()
        except TimeoutError as exc:
            raise StorageUnavailable("The database is busy (waiting to write).") from exc

    def release(self) -> None:
        """End this writer's turn."""
        if self.enabled:
            self._locks[asyncio.get_running_loop()].release()


def write_gate(engine: AsyncEngine, *, timeout_seconds: float = 2.0) -> WriteGate:
    """The one gate of ``engine``'s writers: enabled on SQLite, a no-op elsewhere.

    Made on the first call for ``engine``, which sets how long a writer waits.
    """
    gate = _GATES.get(engine.sync_engine)
    if gate is None:
        gate = WriteGate(enabled=engine.dialect.name == "sqlite", timeout_seconds=timeout_seconds)
        _GATES[engine.sync_engine] = gate
    return gate
