"""The waiters of one process, by job: what every feed hands the changes it hears to."""

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from contextlib import asynccontextmanager, suppress
from typing import Final

import msgspec

from application.jobs.change_ports import JobChange
from domain.job_status import JobStatus

#: Changes a waiter keeps unread; older ones are dropped (the record says the rest).
_BACKLOG: Final = 16


class Waiter:
    """One watcher's changes: the ``JobChanges`` port."""

    def __init__(self) -> None:
        self._changes: deque[JobChange] = deque(maxlen=_BACKLOG)  # full: the oldest goes
        self._news = asyncio.Event()
        self._closing = False

    def put(self, change: JobChange) -> None:
        """Keep ``change`` for ``next``; when the backlog is full, drop the oldest."""
        self._changes.append(change)
        self._news.set()

    def close(self) -> None:
        """The process is stopping: ``next`` answers ``None`` at once from now on."""
        self._closing = True
        self._news.set()

    @property
    def closing(self) -> bool:
        """Whether ``close`` was called."""
        return self._closing

    async def next(self, within: float) -> JobChange | None:
        """The next change, or ``None`` after ``within`` seconds (at once once closing)."""
        deadline = asyncio.get_running_loop().time() + max(within, 0)
        while not self._changes and not self._closing:
            self._news.clear()
            try:
                async with asyncio.timeout_at(deadline):
                    await self._news.wait()
            except TimeoutError:
                return None
        return None if self._closing else self._changes.popleft()


class WaiterHub:
    """Waiters by job id, fed by one listener per process.

    ``listen(hub)`` subscribes, calls ``hub.ready()`` once it hears announcements and
    hands them to ``deliver``; it is started with the first waiter and runs until
    ``stop`` (it reconnects on its own). A new waiter waits up to ``ready_timeout`` for
    the subscription, so that a change announced after it read the record is heard.
    """

    def __init__(
        self,
        listen: Callable[["WaiterHub"], Coroutine[None, None, None]],
        *,
        ready_timeout: float = 1.0,
    ) -> None:
        self._listen = listen
        self._ready_timeout = ready_timeout
        self._waiters: dict[str, set[Waiter]] = {}
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._closing = False

    @asynccontextmanager
    async def watch(self, job_id: str) -> AsyncIterator[Waiter]:
        """A waiter for ``job_id``'s changes until the block ends (closed already when the
        hub is)."""
        waiter = Waiter()
        if self._closing:
            waiter.close()
            yield waiter
            return
        self._waiters.setdefault(job_id, set()).add(waiter)
        try:
            if self._listener is None or self._listener.done():
                self._listener = asyncio.create_task(self._listen(self), name="job-changes")
            if not self._ready.is_set():
                with suppress(TimeoutError):  # not heard: the waiter ends on its timeout
                    await asyncio.wait_for(self._ready.wait(), self._ready_timeout)
            yield waiter
        finally:
            waiters = self._waiters.get(job_id, set())
            waiters.discard(waiter)
            if not waiters:
                self._waiters.pop(job_id, None)

    def ready(self, hearing: bool = True) -> None:
        """The listener hears announcements now (or, ``hearing=False``, no longer)."""
        if hearing:
            self._ready.set()
        else:
            self._ready.clear()

    def deliver(self, changes: Iterable[JobChange]) -> None:
        """Hand each change to the waiters of its job."""
        for change in changes:
            for waiter in self._waiters.get(change.job_id, ()):
                waiter.put(change)

    def close(self) -> None:
        """The process is stopping: every waiter, and each new one, is closed (it answers
        ``None`` at once). The listener runs on until ``stop``. Called again, it does
        nothing (the server calls it for each open connection)."""
        if self._closing:
            return
        self._closing = True
        for waiters in self._waiters.values():
            for waiter in waiters:
                waiter.close()

    @property
    def waiting(self) -> int:
        """How many jobs have waiters."""
        return len(self._waiters)

    async def stop(self) -> None:
        """Cancel the listener, if it runs."""
        listener, self._listener = self._listener, None
        self._ready.clear()
        if listener is not None and not listener.done():
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)


_Wire = tuple[str, str, int]


def encode(changes: Iterable[JobChange]) -> bytes:
    """Changes as the wire carries them: a msgpack list of ``[job_id, status, rows]``."""
    return msgspec.msgpack.encode([(c.job_id, c.status.value, c.rows_written) for c in changes])


_decoder = msgspec.msgpack.Decoder(list[_Wire])
_text_decoder = msgspec.json.Decoder(list[_Wire])


def decode(payload: bytes) -> list[JobChange]:
    """The changes in ``payload``; none when it is not an announcement of ours."""
    return _changes(_decoder, payload)


def encode_text(changes: Iterable[JobChange]) -> str:
    """Changes as text, for a channel that carries text: JSON ``[[job_id, status, rows]]``."""
    wire = [(c.job_id, c.status.value, c.rows_written) for c in changes]
    return msgspec.json.encode(wire).decode()


def decode_text(payload: str) -> list[JobChange]:
    """The changes in a text ``payload``; none when it is not an announcement of ours."""
    return _changes(_text_decoder, payload.encode())


def _changes(
    decoder: "msgspec.msgpack.Decoder[list[_Wire]] | msgspec.json.Decoder[list[_Wire]]",
    payload: bytes,
) -> list[JobChange]:
    try:
        wire = decoder.decode(payload)
        return [JobChange(job_id, JobStatus(status), rows) for job_id, status, rows in wire]
    except (msgspec.DecodeError, ValueError):
        return []
