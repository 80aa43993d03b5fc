"""Small TCP servers that stand in for a failing network in integration tests."""

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any


class TcpForwarder:
    """Forwards a local port to a target address; stop it to cut every connection.

    ``start`` again listens on the same port, so a client can be shown to recover.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        """Listen on 127.0.0.1 (a free port the first time, the same one afterwards)."""
        self._server = await asyncio.start_server(self._forward, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and close every forwarded connection."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.close()
        await asyncio.gather(*self._connections, return_exceptions=True)

    async def _forward(
        self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        self._writers.add(client)
        try:
            upstream_reader, upstream = await asyncio.open_connection(*self._target)
        except OSError:
            await _close(client)
            return
        self._writers.add(upstream)
        try:
            await asyncio.gather(_pipe(client_reader, upstream), _pipe(upstream_reader, client))
        finally:
            self._writers.difference_update((client, upstream))
            self._connections.discard(task)


class SilentServer:
    """Accepts connections and never answers: a peer that hangs."""

    def __init__(self) -> None:
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        self._server = await asyncio.start_server(self._hold, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close the held connections and stop listening."""
        for writer in list(self._writers):
            writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _hold(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        with contextlib.suppress(ConnectionError):
            while await reader.read(65536):
                pass
        await _close(writer)
        self._writers.discard(writer)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    await _close(writer)


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()


class ForwarderThread:
    """A ``TcpForwarder`` on its own event loop in a thread.

    For tests whose client blocks the test's own loop while the app runs (as
    Litestar's test client does): the forwarder keeps moving bytes regardless.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._forwarder = TcpForwarder(target_host, target_port)

    @property
    def port(self) -> int:
        """The local port the forwarder listens on."""
        return self._forwarder.port

    def start(self) -> None:
        """Listen (again, on the same port after the first time)."""
        self._call(self._forwarder.start())

    def stop(self) -> None:
        """Stop listening and cut every forwarded connection."""
        self._call(self._forwarder.stop())

    def close(self) -> None:
        """Stop the forwarder and its thread."""
        self.stop()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def _call(self, coroutine: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)
