"""A real HTTP receiver of webhooks on 127.0.0.1, in a thread: records what it is sent."""

import asyncio
import base64
import http.server
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

#: The Standard Webhooks secret a test run signs with (``whsec_`` and 32 random bytes).
WEBHOOK_SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def loopback_webhooks(**more: str) -> dict[str, str]:
    """The settings of webhooks to receivers on 127.0.0.1, signed with ``WEBHOOK_SECRET``."""
    return {
        "REPORTGEN_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
        "REPORTGEN_WEBHOOK_SECRET": WEBHOOK_SECRET,
        **more,
    }


@dataclass
class Received:
    """One request the receiver got (header names in lower case)."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """Answers each POST with the next status of ``answers`` (then the last one)."""

    answers: list[int] = field(default_factory=lambda: [204])
    received: list[Received] = field(default_factory=list)
    port: int = 0
    delay: float = 0.0  # seconds each answer takes
    in_flight: int = 0  # requests being answered now
    most_in_flight: int = 0  # the most answered at once
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def arrived(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)

    def answered(self) -> None:
        with self._lock:
            self.in_flight -= 1

    @property
    def url(self) -> str:
        """The URL to call back, by address."""
        return f"http://127.0.0.1:{self.port}/hooks/reportgen"

    def answer(self) -> int:
        return self.answers[min(len(self.received), len(self.answers)) - 1]


@contextmanager
def webhook_receiver(*answers: int, delay: float = 0.0) -> Iterator[WebhookReceiver]:
    """A receiver on a free port of 127.0.0.1, each answer ``delay`` seconds after its
    request; stopped on leaving."""
    receiver = WebhookReceiver(answers=list(answers) or [204], delay=delay)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            receiver.arrived()
            try:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                time.sleep(receiver.delay)
                receiver.received.append(Received(self.path, headers, body))
                self.send_response(receiver.answer())
                self.send_header("content-length", "0")
                self.end_headers()
            finally:
                receiver.answered()

        def log_message(self, *_: object) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        request_queue_size = 256  # many senders at once are accepted, and counted

    server = Server(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


async def posts_arrived(receiver: WebhookReceiver, count: int = 1) -> None:
    """Return once ``receiver`` got ``count`` requests (bound it with ``asyncio.timeout``)."""
    while True:
        if len(receiver.received) >= count:
            return
        await asyncio.sleep(0.05)
