"""The request id: every answer carries one in ``X-Request-ID``, and every log line of the
request (and of the job it creates) carries it as ``request_id``.

A client's own ``X-Request-ID`` is kept when it is 1 to 128 printable ASCII characters
without spaces; otherwise (absent, too long, a control character) the service makes
one, a random UUID in hex. Plain ASGI on the event loop: a header read, a context
variable set and one header added to the answer, on every request.
"""

import re
import uuid

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from application.common import log_context

HEADER = "X-Request-ID"
_NAME = HEADER.lower().encode()
_SANE = re.compile(rb"[\x21-\x7e]{1,128}")


def request_id_of(scope: Scope) -> str:
    """The client's request id if it is sane, else a new one."""
    for name, value in scope["headers"]:
        if name == _NAME:
            if _SANE.fullmatch(value):
                return value.decode("ascii")
            break
    return uuid.uuid4().hex


class RequestIds:
    """ASGI middleware around the whole app: errors, 404s and refusals carry the id too."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer ``scope`` with its request id in the log context and the answer."""
        if scope["type"] != ScopeType.HTTP:
            await self._app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        header = (_NAME, request_id.encode("ascii"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        token = log_context.request_id.set(request_id)
        try:
            await self._app(scope, receive, send_with_id)
        finally:
            log_context.request_id.reset(token)
