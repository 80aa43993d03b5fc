"""What ``wait`` decides, apart from how it talks: shared by the sync and the async client."""

import time
from collections.abc import Callable

from httpx_sse import ServerSentEvent

from entrypoints.client.errors import ServerUnreachable, TimedOut
from entrypoints.client.models import Job
from entrypoints.client.wire import job_of

#: Stream failures in a row (drops, errors) after which ``wait`` polls instead.
STREAM_ATTEMPTS = 3
#: A stream that stayed open this long worked: its end is no failure, and the count starts
#: anew (a server restarting, a proxy's idle limit), however quiet the job was meanwhile.
WORKING_STREAM_SECONDS = 10.0
#: How long each poll asks the server to hold its answer (``?wait=N``).
POLL_WAIT_SECONDS = 10
#: An answer quicker than this came from a server that does not hold polls.
QUICK_ANSWER_SECONDS = 1.0
#: Between polls when the server sent no ``Retry-After``.
DEFAULT_PAUSE_SECONDS = 1.0
#: Before reconnecting to a stream, until the server says otherwise (its ``retry`` field).
DEFAULT_RECONNECT_SECONDS = 0.25
#: How long ``wait`` keeps trying a server that refuses connections (restarting, being
#: deployed) before it gives up with ``ServerUnreachable``.
UNREACHABLE_SECONDS = 30.0
#: The first pause before trying an unreachable server again; each next one is twice as
#: long, up to ``LONGEST_UNREACHABLE_PAUSE``.
FIRST_UNREACHABLE_PAUSE = 0.25
LONGEST_UNREACHABLE_PAUSE = 4.0

ProgressCallback = Callable[[Job], object]


class Watch:
    """One ``wait``: the job's last event id, the stream's failures, and the deadline."""

    def __init__(
        self,
        job_id: str,
        timeout: float | None,
        on_progress: ProgressCallback | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.job_id = job_id
        self.last_event_id: str | None = None
        self.use_events = True
        self._failures = 0
        self._reconnect_after = DEFAULT_RECONNECT_SECONDS
        self._clock = clock
        self._deadline = None if timeout is None else clock() + timeout
        self._on_progress = on_progress
        self._unreachable_since: float | None = None
        self._unreachable_pause = FIRST_UNREACHABLE_PAUSE

    def seen(self, job: Job) -> Job | None:
        """Tell the caller about ``job``; the job itself once it has ended."""
        if self._on_progress is not None:
            self._on_progress(job)
        return job if job.is_finished else None

    def event(self, sse: ServerSentEvent) -> Job | None:
        """One server-sent event: a ``status`` event is a job document."""
        if sse.id:
            self.last_event_id = sse.id
        if sse.retry is not None:
            self._reconnect_after = sse.retry / 1000
        if sse.event != "status" or not sse.data:
            return None
        self._failures = 0
        return self.seen(job_of(sse.data))

    def events_headers(self) -> dict[str, str]:
        """Headers of the next connection to the event stream."""
        return {"Last-Event-ID": self.last_event_id} if self.last_event_id else {}

    def stream_failed(self, retry_after: float | None = None, lasted: float = 0.0) -> float:
        """The stream broke, ended early or was refused for now, ``lasted`` seconds after
        it was asked for: the seconds to pause before reconnecting, or polling
        (``use_events`` false) after too many short-lived ones in a row."""
        self._failures = 0 if lasted >= WORKING_STREAM_SECONDS else self._failures + 1
        if self._failures >= STREAM_ATTEMPTS:
            self.use_events = False
            return 0.0
        pause = max(self._reconnect_after, retry_after or 0.0)
        left = self.remaining()
        return pause if left is None else max(0.0, min(pause, left))

    def reached(self) -> None:
        """The server answered: it is no longer out of reach."""
        self._unreachable_since = None
        self._unreachable_pause = FIRST_UNREACHABLE_PAUSE

    def unreachable(self, error: ServerUnreachable) -> float:
        """No connection to the server: the seconds to pause before trying again, more
        each time; ``error`` once it has been out of reach for ``UNREACHABLE_SECONDS``."""
        now = self._clock()
        if self._unreachable_since is None:
            self._unreachable_since = now
        elif now - self._unreachable_since >= UNREACHABLE_SECONDS:
            raise error
        pause = self._unreachable_pause
        self._unreachable_pause = min(pause * 2, LONGEST_UNREACHABLE_PAUSE)
        left = self.remaining()
        return pause if left is None else max(0.0, min(pause, left))

    def no_events(self) -> None:
        """The server has no event stream: poll."""
        self.use_events = False

    def remaining(self) -> float | None:
        """Seconds left before the deadline (``None``: no deadline)."""
        self.check_deadline()
        return None if self._deadline is None else self._deadline - self._clock()

    def check_deadline(self) -> None:
        """``TimedOut`` once the deadline has passed."""
        if self._deadline is not None and self._clock() >= self._deadline:
            raise TimedOut(f"Job {self.job_id} did not end within the time given.")

    def poll_wait(self) -> int:
        """The ``?wait=N`` of the next poll: at most what is left."""
        left = self.remaining()
        return POLL_WAIT_SECONDS if left is None else max(1, min(POLL_WAIT_SECONDS, int(left)))

    def pause_after(self, took: float, retry_after: float | None) -> float:
        """Seconds to sleep after a poll that took ``took`` seconds and did not end."""
        if took >= QUICK_ANSWER_SECONDS:
            return 0.0  # the server held the answer: ask again at once
        pause = DEFAULT_PAUSE_SECONDS if retry_after is None else retry_after
        left = self.remaining()
        return pause if left is None else max(0.0, min(pause, left))
