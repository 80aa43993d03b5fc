"""uvicorn's HTTP protocol with bounds a slow or greedy client cannot stretch.

uvicorn times out an idle keep-alive connection only after a response, bounds the size of
a request head only on h11, and waits for a body as long as the client likes. Here, on
its fast httptools protocol: a request head (the request line and headers) must arrive
whole within ``REPORTGEN_CLIENT_HEADER_TIMEOUT_SECONDS`` of the connection or of the last
response, in at most ``REPORTGEN_MAX_HEADER_BYTES``; its body within
``REPORTGEN_CLIENT_BODY_TIMEOUT_SECONDS`` of its head. A head too slow or a body too slow
is answered 408, a head too large 431, and the connection is closed. When the server
stops, the app is told at once (``entrypoints.stopping``), not once every answer is done.
"""

import asyncio
import functools
import os
from typing import Any

import msgspec
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from entrypoints import stopping
from entrypoints.settings import Settings

_END_OF_HEAD = b"\r\n\r\n"
#: The error of each refusal, as the answer's ``{"error": ...}`` says it (and the document).
HEAD_TOO_LARGE = "The request head is too large."
HEAD_TOO_SLOW = "The request head came too slowly."
BODY_TOO_SLOW = "The request body came too slowly."


@functools.cache
def _bounds() -> tuple[float, float, int]:
    """The head and body deadlines and the head's size bound, read once per process from
    the environment ``reportgen serve`` checked and handed to its server processes."""
    settings = Settings.from_env(os.environ)
    return (
        settings.timeouts.client_header.total_seconds(),
        settings.timeouts.client_body.total_seconds(),
        settings.limits.max_header_bytes,
    )


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` with a deadline on each request's head and body and a bound
    on the head's size."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_seconds, self._body_seconds, self._max_head_bytes = _bounds()
        self._deadline: asyncio.TimerHandle | None = None
        self._head_bytes: int | None = 0  # None while no head is being read

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the first head's deadline."""
        super().connection_made(transport)
        self._await_head()

    def shutdown(self) -> None:
        """The server stops: as uvicorn does, and the app lets its held answers go."""
        super().shutdown()
        stopping.begin()

    def connection_lost(self, exc: Exception | None) -> None:
        """Drop the deadline."""
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Count the bytes of the head; refuse it with 431 once it is too large."""
        if self._head_bytes is not None:
            end = data.find(_END_OF_HEAD)
            self._head_bytes += len(data) if end < 0 else end + len(_END_OF_HEAD)
            if self._head_bytes > self._max_head_bytes:
                self._refuse(431, "Request Header Fields Too Large", HEAD_TOO_LARGE)
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        """The head is whole: the body's deadline starts."""
        self._head_bytes = None
        self._arm(self._body_seconds, self._body_too_slow)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        """The body is whole: no deadline until the answer is sent."""
        self._disarm()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        """The answer is sent: the next head's deadline starts."""
        super().on_response_complete()
        if not self.transport.is_closing():
            self._await_head()

    def _await_head(self) -> None:
        self._head_bytes = 0
        self._arm(self._head_seconds, self._head_too_slow)

    def _arm(self, seconds: float, handler: Any) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, handler)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _head_too_slow(self) -> None:
        if self._head_bytes:  # part of a head came: say why the connection ends
            self._refuse(408, "Request Timeout", HEAD_TOO_SLOW)
        elif not self.transport.is_closing():  # an idle connection: just close it
            self.transport.close()

    def _body_too_slow(self) -> None:
        cycle = self.cycle
        if cycle is not None and cycle.response_started:
            self.transport.close()
        else:
            self._refuse(408, "Request Timeout", BODY_TOO_SLOW)

    def _refuse(self, status: int, reason: str, message: str) -> None:
        self._disarm()
        if self.transport.is_closing():
            return
        body = msgspec.json.encode({"error": message})
        self.transport.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n%s"
            % (status, reason.encode(), len(body), body)
        )
        self.transport.close()
