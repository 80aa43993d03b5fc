"""A fake reportgen server for the client's ``wait``: scripted job documents and event streams.

It is an httpx transport (blocking and asyncio alike), so a test says exactly what each
request gets: events with ids, keep-alive comments, a stream that breaks off, a 204.
"""

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import httpx

from entrypoints.client import Job, ReportgenClient

JOB_ID = "2b6f0c1e-4d0a-4c6e-9a63-0f4f7d1f3c55"
BASE_URL = "http://reports.test"


def job(status: str, rows: int = 0) -> dict[str, object]:
    """A job document as ``GET /api/v1/jobs/{jobId}`` answers it (with a field to ignore)."""
    return {
        "jobId": JOB_ID,
        "reportId": "report-123",
        "status": status,
        "format": "csv",
        "createdAt": "2026-11-28T09:00:00.120000Z",
        "startedAt": None,
        "finishedAt": None,
        "progress": {"rowsWritten": rows, "percent": None},
        "error": None,
        "resultUrl": None,
        "expiresAt": None,
        "result": None,
        "callback": {"url": "https://example.com/hook"},  # newer servers say more
    }


def event(event_id: str, document: dict[str, object]) -> bytes:
    """One ``status`` event."""
    return f"event: status\nid: {event_id}\ndata: {json.dumps(document)}\n\n".encode()


KEEP_ALIVE = b": keep-alive\n\n"


class BrokenStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """An event stream that sends ``chunks``, then breaks off (``broken``) or ends."""

    def __init__(self, chunks: list[bytes], broken: bool, quiet: bool) -> None:
        self._chunks = chunks
        self._broken = broken
        self._quiet = quiet

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks
        if self._broken:
            raise httpx.ReadError("connection reset by peer")
        while self._quiet:
            time.sleep(0.05)
            yield KEEP_ALIVE

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk
        if self._broken:
            raise httpx.ReadError("connection reset by peer")
        while self._quiet:
            await asyncio.sleep(0.05)
            yield KEEP_ALIVE


@dataclass
class Stream:
    """What one connection to the event stream gets."""

    status: int = 200
    chunks: list[bytes] = field(default_factory=list)
    broken: bool = False
    quiet: bool = False  # then keep-alives for ever
    retry_after: str | None = None  # with a status other than 200
    refused: bool = False  # no connection at all: the server is down


@dataclass
class FakeServer:
    """Answers the job's status from ``statuses`` (the last one repeats) and each connection
    to its events from ``streams`` (then 404, as a server without events); records requests."""

    statuses: list[dict[str, object]]
    streams: list[Stream] = field(default_factory=list)
    busy_polls: int = 0  # ``?wait`` polls answered 429 first
    refused_polls: int = 0  # ``?wait`` polls refused a connection first
    requests: list[httpx.Request] = field(default_factory=list)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == f"/api/v1/jobs/{JOB_ID}/events":
            if not self.streams:
                return httpx.Response(404, json={"error": "Not Found"})
            stream = self.streams.pop(0)
            if stream.refused:
                raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
            if stream.status != 200:
                headers = {"Retry-After": stream.retry_after} if stream.retry_after else {}
                return httpx.Response(stream.status, headers=headers, json={"error": "Busy."})
            headers = {"Content-Type": "text/event-stream"}
            return httpx.Response(
                200,
                headers=headers,
                stream=BrokenStream(stream.chunks, stream.broken, stream.quiet),
            )
        held = request.url.path == f"/api/v1/jobs/{JOB_ID}" and "wait" in request.url.params
        if held and self.refused_polls:
            self.refused_polls -= 1
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        if held and self.busy_polls:
            self.busy_polls -= 1
            busy = {"Retry-After": "0.3"}
            return httpx.Response(429, json={"error": "Too many."}, headers=busy)
        if request.url.path == f"/api/v1/jobs/{JOB_ID}":
            document = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
            headers = (
                {}
                if document["status"] in {"Succeeded", "Failed", "Cancelled"}
                else {"Retry-After": "0"}
            )
            return httpx.Response(200, json=document, headers=headers)
        return httpx.Response(404, json={"error": "Not Found"})

    def last_event_ids(self) -> list[str | None]:
        """The ``Last-Event-ID`` of each connection to the event stream."""
        return [
            r.headers.get("last-event-id") for r in self.requests if r.url.path.endswith("/events")
        ]

    def polls(self) -> list[str]:
        """The ``wait`` of each status request that asked the server to hold its answer."""
        return [r.url.params["wait"] for r in self.requests if "wait" in r.url.params]


def wait(server: FakeServer, timeout: float | None = 60) -> tuple[Job, list[Job]]:
    """The job ``ReportgenClient.wait`` returns, and each job it reported on the way."""
    seen: list[Job] = []
    with ReportgenClient(BASE_URL, "t", transport=server.transport()) as client:
        ended = client.wait(JOB_ID, timeout=timeout, on_progress=seen.append)
    return ended, seen
