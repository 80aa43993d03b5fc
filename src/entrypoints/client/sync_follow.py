"""How the blocking client follows a job: its event stream, else polls held by the server."""

import time
from collections.abc import Callable, Iterator

import httpx
from httpx_sse import EventSource, SSEError

from entrypoints.client import wire
from entrypoints.client.models import Job
from entrypoints.client.watch import Watch


class _UntilDeadline(httpx.SyncByteStream):
    """An answer's bytes that end in ``TimedOut`` at the deadline, keep-alives or not."""

    def __init__(self, stream: httpx.SyncByteStream, watch: Watch) -> None:
        self._stream = stream
        self._watch = watch

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._stream:
            self._watch.check_deadline()
            yield chunk

    def close(self) -> None:
        self._stream.close()


class JobFollower:
    """Follows one job for ``wait``, on the client's connections."""

    def __init__(self, http: httpx.Client, timeout: float, status: Callable[[str], Job]) -> None:
        self._http = http
        self._timeout = timeout
        self._status = status

    def wait(self, watch: Watch) -> Job:
        """The job once it has ended; ``TimedOut`` past the watch's deadline."""
        ended = watch.seen(self._status(watch.job_id))
        while ended is None and watch.use_events:
            ended = self._follow_events(watch)
        while ended is None:
            ended = self._poll(watch)
        return ended

    def _follow_events(self, watch: Watch) -> Job | None:
        url = wire.job_path(watch.job_id, "/events")
        headers = {**wire.EVENT_HEADERS, **watch.events_headers()}
        timeout = wire.stream_timeout(self._timeout, watch.remaining())
        retry_after = None
        asked = time.monotonic()
        try:
            with self._http.stream("GET", url, headers=headers, timeout=timeout) as response:
                watch.reached()
                if response.status_code == 204:  # nothing newer: the job had ended
                    watch.no_events()
                    return watch.seen(self._status(watch.job_id))
                retry_after = wire.retry_after(response)
                if wire.has_no_events(response):
                    watch.no_events()
                    return None
                if wire.is_refusal(response):
                    response.read()
                    raise wire.error_from(response)
                if response.is_success:
                    assert isinstance(response.stream, httpx.SyncByteStream)
                    response.stream = _UntilDeadline(response.stream, watch)
                    for sse in EventSource(response).iter_sse():
                        if (ended := watch.event(sse)) is not None:
                            return ended
        except httpx.ConnectError as exc:  # nobody answers there now: a restart, perhaps
            time.sleep(watch.unreachable(wire.unreachable(self._http.base_url, exc)))
            return None
        except (httpx.TransportError, SSEError):
            pass  # a dropped or broken stream: resumed from the last event id
        time.sleep(watch.stream_failed(retry_after, time.monotonic() - asked))
        return None

    def _poll(self, watch: Watch) -> Job | None:
        wait = watch.poll_wait()
        request = self._http.build_request(
            "GET",
            wire.job_path(watch.job_id),
            params={"wait": str(wait)},
            timeout=self._timeout + wait,
        )
        started = time.monotonic()
        with wire.transport_errors(self._http.base_url):
            try:
                response = self._http.send(request)
            except httpx.ConnectError as exc:  # nobody answers there now: a restart, perhaps
                time.sleep(watch.unreachable(wire.unreachable(self._http.base_url, exc)))
                return None
        watch.reached()
        if wire.is_busy(response):  # too many held requests, or down for a moment
            time.sleep(watch.pause_after(0.0, wire.retry_after(response)))
            return None
        ended = watch.seen(wire.answer(response, Job))
        if ended is None:
            time.sleep(watch.pause_after(time.monotonic() - started, wire.retry_after(response)))
        return ended
