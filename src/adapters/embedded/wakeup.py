"""Wake-ups from the API processes to the embedded workers: a datagram on a local socket.

Each embedded worker listens on a Unix datagram socket of Linux's abstract
namespace, named after the service's database and the worker's number: the
name needs no file, nobody has to clean it up, and it disappears with the
process. After each commit of new jobs an API process sends every worker one
byte (``WAKE``): a worker that gets it looks for due jobs at once instead of at
its next poll. Sending never blocks and never fails a request: a wake-up that
is lost costs one poll interval. A readiness check sends ``PING``, which the
worker ignores: the kernel accepting it proves that the worker process lives.
"""

import asyncio
import contextlib
import errno
import logging
import socket
from collections.abc import Callable, Sequence
from datetime import timedelta

from adapters.service_key import service_key

logger = logging.getLogger(__name__)

WAKE = b"w"
PING = b"p"
_MOST_AT_ONCE = 256  # datagrams a worker drains per wake-up of its loop


def wake_addresses(database_url: str, workers: int) -> list[str]:
    """The abstract socket name of each of ``workers`` embedded workers of the service
    whose database is ``database_url`` (the same in every process that reads it)."""
    return [f"\0reportgen-{service_key(database_url)}-worker-{n}" for n in range(workers)]


class WakeUpSender:
    """Sends a byte to each worker address without ever waiting."""

    def __init__(self, addresses: Sequence[str]) -> None:
        self._addresses = list(addresses)
        self._socket: socket.socket | None = None

    def send(self, message: bytes) -> int:
        """Send ``message`` to every worker; how many workers are listening."""
        if self._socket is None:
            self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._socket.setblocking(False)
        listening = 0
        for address in self._addresses:
            try:
                self._socket.sendto(message, address)
            except BlockingIOError:
                listening += 1  # its queue is full: it lives, and has wake-ups to read
            except OSError:
                continue  # nobody listens there (ECONNREFUSED): no worker, or not yet
            else:
                listening += 1
        return listening

    def close(self) -> None:
        """Close the socket (it opens again on the next ``send``)."""
        sock, self._socket = self._socket, None
        if sock is not None:
            sock.close()


class WakeUpListener:
    """Binds a worker's address and calls ``on_wake`` for each batch of wake-ups.

    When another process still holds the address (a worker of a server that was
    just killed, on its way out), it tries again every ``retry_interval``; the
    runner polls meanwhile.
    """

    def __init__(
        self,
        address: str,
        on_wake: Callable[[], None],
        *,
        retry_interval: timedelta = timedelta(seconds=1),
    ) -> None:
        self._address = address
        self._on_wake = on_wake
        self._retry_seconds = retry_interval.total_seconds()
        self._socket: socket.socket | None = None
        self._binding: asyncio.Task[None] | None = None

    @property
    def listening(self) -> bool:
        """Whether the address is bound."""
        return self._socket is not None

    async def start(self) -> None:
        """Listen, now or as soon as the address is free."""
        if not self._try_to_listen():
            self._binding = asyncio.create_task(self._keep_trying(), name="reportgen-wake-up")

    async def stop(self) -> None:
        """Stop listening; safe to call when never started."""
        task, self._binding = self._binding, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        sock, self._socket = self._socket, None
        if sock is not None:
            asyncio.get_running_loop().remove_reader(sock.fileno())
            sock.close()

    async def _keep_trying(self) -> None:
        while not self._try_to_listen():  # noqa: ASYNC110 - nothing to wait on but time
            await asyncio.sleep(self._retry_seconds)

    def _try_to_listen(self) -> bool:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            sock.bind(self._address)
        except OSError as exc:
            sock.close()
            if exc.errno != errno.EADDRINUSE:
                raise
            if self._binding is None:
                logger.warning("Another process holds this worker's wake-up address; retrying.")
            return False
        sock.setblocking(False)
        asyncio.get_running_loop().add_reader(sock.fileno(), self._drain)
        self._socket = sock
        return True

    def _drain(self) -> None:
        if self._socket is None:
            return
        woken = False
        for _ in range(_MOST_AT_ONCE):
            try:
                woken |= self._socket.recv(16) == WAKE
            except BlockingIOError:
                break
        if woken:
            self._on_wake()
