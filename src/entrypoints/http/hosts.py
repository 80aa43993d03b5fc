"""The Host allow-list: a request naming a host the service does not answer for is refused
before anything else, so a forged ``Host`` never reaches a link the API hands out.

Litestar's ``AllowedHostsMiddleware`` compares the whole header, port included (so
``localhost`` does not allow ``localhost:8000``), cannot take an IPv6 literal apart and
answers in a shape of its own; this one compares host names and answers like every other
error of the API.
"""

from collections.abc import Collection
from urllib.parse import urlsplit

import msgspec
from litestar.enums import MediaType, ScopeType
from litestar.response.base import ASGIResponse
from litestar.status_codes import HTTP_400_BAD_REQUEST
from litestar.types import ASGIApp, Receive, Scope, Send

from entrypoints.http.schemas import ErrorBody


class AllowedHosts:
    """ASGI middleware: a ``Host`` (host name, port aside) must be one of ``hosts`` (a
    ``*.example.com`` entry allows its subdomains) or the address the request came in on
    (what a client that knows only the address sends). A request without ``Host`` (HTTP/1.0)
    is let through: its links are built from that address. Refused: 400."""

    def __init__(self, app: ASGIApp, hosts: Collection[str]) -> None:
        self._app = app
        self._exact = frozenset(host.lower() for host in hosts if not host.startswith("*."))
        self._suffixes = tuple(host[1:].lower() for host in hosts if host.startswith("*."))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or answer 400 if its ``Host`` is not allowed."""
        if scope["type"] == ScopeType.HTTP and not self._allows(scope):
            refusal = ASGIResponse(
                body=_REFUSAL, status_code=HTTP_400_BAD_REQUEST, media_type=MediaType.JSON
            )
            await refusal(scope, receive, send)
            return
        await self._app(scope, receive, send)

    def _allows(self, scope: Scope) -> bool:
        header = next((value for name, value in scope["headers"] if name == b"host"), None)
        if header is None:
            return True
        try:
            host = urlsplit("//" + header.decode("latin-1")).hostname
        except ValueError:
            return False
        if not host:
            return False
        server = scope.get("server")
        return (
            host in self._exact
            or host.endswith(self._suffixes)
            or (server is not None and host == str(server[0]).lower())
        )


_REFUSAL = msgspec.json.encode(
    ErrorBody("The Host header names a host this service does not answer for.")
)
