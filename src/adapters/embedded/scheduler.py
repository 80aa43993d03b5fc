"""``EmbeddedJobScheduler``: the ``JobScheduler`` port of the embedded mode, as an API process
sees it.

The database is the queue: a job is queued by committing its record, and the
embedded worker processes that ``reportgen serve`` starts take it from there.
The API process never runs a job; it only nudges the workers after each commit.
"""

from collections.abc import Sequence

from adapters.embedded.wakeup import PING, WAKE, WakeUpSender
from application.common.errors import JobAlreadyQueued, SchedulerUnavailable
from application.jobs.ports import JobMessage


class EmbeddedJobScheduler:
    """Queues nothing itself (the records are the queue); wakes the workers up and tells
    whether any of them runs."""

    def __init__(self, sender: WakeUpSender) -> None:
        self._sender = sender

    async def enqueue(self, message: JobMessage) -> None:
        """A job with a record is queued already: its committed record is its queue entry
        (``JobAlreadyQueued``, so a sweep hands nothing over and reports nothing)."""
        raise JobAlreadyQueued(message.job_id)

    async def enqueue_new(self, messages: Sequence[JobMessage]) -> None:
        """Nothing to hand over: the jobs' committed records are their queue entries. Wakes
        the workers up, so that they look for the new jobs at once."""
        self._sender.send(WAKE)

    async def ping(self) -> None:
        """Answer while at least one embedded worker process listens; else
        ``SchedulerUnavailable`` (accepted jobs wait, on disk, until one runs)."""
        if self._sender.send(PING) == 0:
            raise SchedulerUnavailable("No embedded job worker is running.")

    async def unqueued(self, messages: Sequence[JobMessage]) -> list[JobMessage]:
        """None: a job's committed record is its queue entry, which nothing loses."""
        return []

    async def queue_intact(self) -> bool:
        """Always: the queue is the database."""
        return True

    async def confirm_queue(self) -> None:
        """Nothing to note."""

    async def start(self) -> None:
        """Nothing to do: the socket opens on first use."""

    async def stop(self) -> None:
        """Close the socket."""
        self._sender.close()
