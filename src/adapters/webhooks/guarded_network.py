"""An httpcore network backend that connects only to addresses the allow-list permits.

The host is resolved here, every address it resolves to is checked
(``CallbackAllowList.may_reach``), and the connection goes to exactly an address
that was checked: a second DNS answer cannot send it elsewhere (DNS rebinding).
TLS is started by httpcore afterwards with the URL's host name (SNI and
certificate checks are for the name, not the address).
"""

import asyncio
import socket
from collections.abc import Awaitable, Callable, Iterable

import httpcore

from domain.callback_hosts import CallbackAllowList, parse_address

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""The addresses (as text) a host name resolves to, for a TCP port."""


class CallbackAddressRefused(Exception):
    """The callback's host resolved to an address the service may not reach."""

    def __init__(self, address: str) -> None:
        super().__init__(f"callback address {address} is not allowed")
        self.address = address


async def system_resolver(host: str, port: int) -> list[str]:
    """The system's resolver (``getaddrinfo``), TCP addresses only."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """Resolve, check every address, connect to a checked one (``CallbackAddressRefused``)."""

    def __init__(
        self,
        allow_list: CallbackAllowList,
        resolver: Resolver = system_resolver,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._allow_list = allow_list
        self._resolve = resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def checked_addresses(self, host: str, port: int, within: float | None) -> list[str]:
        """The addresses of ``host``, all allowed; refuses if any one is not."""
        literal = parse_address(host)
        if literal is not None:
            addresses = [host.strip("[]")]
        else:
            try:
                async with asyncio.timeout(within):
                    addresses = await self._resolve(host, port)
            except (OSError, TimeoutError) as exc:
                raise httpcore.ConnectError(f"could not resolve {host}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"{host} has no address")
        for text in addresses:
            address = parse_address(text)
            if address is None or not self._allow_list.may_reach(address):
                raise CallbackAddressRefused(text)
        return addresses

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """A connection to the first checked address of ``host`` that answers."""
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in await self.checked_addresses(host, port, timeout):
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Never: a callback is a TCP URL."""
        raise CallbackAddressRefused(path)

    async def sleep(self, seconds: float) -> None:
        """Wait, as the inner backend does."""
        await self._inner.sleep(seconds)
