"""Job changes announced on this machine: datagrams on local sockets, for the embedded mode.

Each API process that has waiters binds the first free of ``SLOTS`` Unix datagram
addresses in Linux's abstract namespace, named after the service's database (no
file to clean up; an address disappears with its process). Whoever writes a job
(an embedded worker, an API process cancelling one) sends the change to every
slot: a slot nobody holds refuses at once, and a full one drops it. Losing an
announcement costs a waiter its timeout, never a wrong answer.
"""

import asyncio
import errno
import logging
import socket
from collections.abc import Sequence
from typing import Final

from adapters.announcements.feed import ChangeFeed
from adapters.announcements.hub import WaiterHub, decode, encode
from adapters.service_key import service_key
from application.jobs.change_ports import JobChange

logger = logging.getLogger(__name__)

#: API processes of one service that can hear changes (``serve --workers`` at most this).
SLOTS: Final = 64
#: Changes in one datagram (well under the kernel's datagram size limit).
_PER_DATAGRAM: Final = 200
_MOST_AT_ONCE: Final = 256


def change_addresses(database_url: str, slots: int = SLOTS) -> list[str]:
    """The listening addresses of the service whose job records are in ``database_url``."""
    return [f"\0reportgen-{service_key(database_url)}-changes-{n}" for n in range(slots)]


class LocalJobChanges(ChangeFeed):
    """The ``JobChangeAnnouncer`` and ``JobChangeFeed`` ports on local datagram sockets."""

    source = "local sockets"

    def __init__(self, addresses: Sequence[str]) -> None:
        super().__init__(ready_timeout=0)
        self._addresses = list(addresses)
        self._sender: socket.socket | None = None

    async def announce(self, changes: Sequence[JobChange]) -> None:
        """Send ``changes`` to every listening slot, without waiting."""
        if self._sender is None:
            self._sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._sender.setblocking(False)
        for first in range(0, len(changes), _PER_DATAGRAM):
            payload = encode(changes[first : first + _PER_DATAGRAM])
            for address in self._addresses:
                try:
                    self._sender.sendto(payload, address)
                except OSError:
                    continue  # nobody there (ECONNREFUSED), or its queue is full

    async def _listen_once(self, hub: WaiterHub) -> None:
        sock = self._bind()
        if sock is None:
            logger.warning("Every job-change address is taken: waiters end on their timeout.")
            return
        loop = asyncio.get_running_loop()
        heard = asyncio.Event()
        loop.add_reader(sock.fileno(), heard.set)
        hub.ready()
        try:
            while True:
                await heard.wait()
                heard.clear()
                for _ in range(_MOST_AT_ONCE):
                    try:
                        hub.deliver(decode(sock.recv(65536)))
                    except BlockingIOError:
                        break
        finally:
            hub.ready(False)
            loop.remove_reader(sock.fileno())
            sock.close()

    def _bind(self) -> socket.socket | None:
        for address in self._addresses:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            try:
                sock.bind(address)
            except OSError as exc:
                sock.close()
                if exc.errno != errno.EADDRINUSE:
                    raise
                continue
            sock.setblocking(False)
            return sock
        return None

    async def stop(self) -> None:
        """Stop listening and close the sockets."""
        await super().stop()
        sender, self._sender = self._sender, None
        if sender is not None:
            sender.close()
