"""A held answer ends when its client goes away.

A ``?wait=N`` or ``Prefer: wait=N`` holds its answer for up to 30 seconds, and the
server would go on waiting for a client that closed its connection (given up, or
interrupted), keeping its hold on the caller's count of held requests. Here the wait
listens for the client's disconnect beside it, and whichever comes first ends the
other. (Event streams get the same from Litestar's streaming response.)
"""

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from litestar import Request

T = TypeVar("T")

#: The status recorded for an answer whose client left first (nginx's; nobody reads it).
CLIENT_CLOSED_REQUEST = 499


class ClientGone(Exception):
    """The client closed its connection before the answer was ready."""

    message = "The client closed the connection before the answer."


async def unless_client_leaves(request: Request[Any, Any, Any], work: Coroutine[Any, Any, T]) -> T:
    """What ``work`` returns; ``ClientGone`` (``work`` cancelled) if the client leaves
    first. The request's body must have been read already."""
    working = asyncio.ensure_future(work)
    leaving = asyncio.ensure_future(_left(request))
    try:
        await asyncio.wait((working, leaving), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (leaving, working):
            if not task.done():
                task.cancel()
        await asyncio.gather(leaving, working, return_exceptions=True)
    if working.done() and not working.cancelled():
        return working.result()
    raise ClientGone()


async def _left(request: Request[Any, Any, Any]) -> None:
    """Return once the client has disconnected."""
    while (await request.receive())["type"] != "http.disconnect":
        pass
