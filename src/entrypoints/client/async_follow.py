"""How the asyncio client follows a job: its event stream, else polls held by the server."""

import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx
from httpx_sse import EventSource, SSEError

from entrypoints.client import wire
from entrypoints.client.models import Job
from entrypoints.client.watch import Watch


class AsyncJobFollower:
    """Follows one job for ``wait``, on the client's connections."""

    def __init__(
        self, http: httpx.AsyncClient, timeout: float, status: Callable[[str], Awaitable[Job]]
    ) -> None:
        self._http = http
        self._timeout = timeout
        self._status = status

    async def wait(self, watch: Watch) -> Job:
        """The job once it has ended; ``TimedOut`` past the watch's deadline."""
        ended = watch.seen(await self._status(watch.job_id))
        while ended is None and watch.use_events:
            ended = await self._follow_events(watch)
        while ended is None:
            ended = await self._poll(watch)
        return ended

    async def _follow_events(self, watch: Watch) -> Job | None:
        url = wire.job_path(watch.job_id, "/events")
        headers = {**wire.EVENT_HEADERS, **watch.events_headers()}
        timeout = wire.stream_timeout(self._timeout, watch.remaining())
        retry_after = None
        asked = time.monotonic()
        try:
            async with self._http.stream("GET", url, headers=headers, timeout=timeout) as response:
                watch.reached()
                if response.status_code == 204:  # nothing newer: the job had ended
                    watch.no_events()
                    return watch.seen(await self._status(watch.job_id))
                retry_after = wire.retry_after(response)
                if wire.has_no_events(response):
                    watch.no_events()
                    return None
                if wire.is_refusal(response):
                    await response.aread()
                    raise wire.error_from(response)
                if response.is_success:
                    async for sse in EventSource(response).aiter_sse():
                        if (ended := watch.event(sse)) is not None:
                            return ended
        except httpx.ConnectError as exc:  # nobody answers there now: a restart, perhaps
            await asyncio.sleep(watch.unreachable(wire.unreachable(self._http.base_url, exc)))
            return None
        except (httpx.TransportError, SSEError):
            pass  # a dropped or broken stream: resumed from the last event id
        await asyncio.sleep(watch.stream_failed(retry_after, time.monotonic() - asked))
        return None

    async def _poll(self, watch: Watch) -> Job | None:
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
                response = await self._http.send(request)
            except httpx.ConnectError as exc:  # nobody answers there now: a restart, perhaps
                await asyncio.sleep(watch.unreachable(wire.unreachable(self._http.base_url, exc)))
                return None
        watch.reached()
        if wire.is_busy(response):  # too many held requests, or down for a moment
            await asyncio.sleep(watch.pause_after(0.0, wire.retry_after(response)))
            return None
        ended = watch.seen(wire.answer(response, Job))
        if ended is None:
            pause = watch.pause_after(time.monotonic() - started, wire.retry_after(response))
            await asyncio.sleep(pause)
        return ended
