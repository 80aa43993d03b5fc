"""The request class of the API: a JSON body that cannot be decoded is the client's error.

msgspec refuses malformed JSON with a ``DecodeError``, which Litestar answers with 400;
but invalid UTF-8 inside a string (``"\\xff"``, the overlong ``"\\xc0\\xaf"``) raises
``UnicodeDecodeError`` and nesting deeper than msgspec recurses raises ``RecursionError``,
which Litestar would leave to the catch-all (500). Both are caught here, where only the
body's bytes can have caused them, and answered 400 naming what is wrong.
"""

import re
from typing import Any

from litestar import Request
from litestar.exceptions import ClientException


class ApiRequest(Request[Any, Any, Any]):
    """Litestar's ``Request``, with a ``json()`` that refuses undecodable bodies with 400."""

    async def json(self) -> Any:
        """The decoded JSON body; 400 for invalid UTF-8 or nesting too deep to decode."""
        try:
            return await super().json()
        except UnicodeDecodeError:
            raise ClientException("The request body is not valid UTF-8.") from None
        except RecursionError:
            raise ClientException("The request body's JSON is nested too deeply.") from None


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


async def refuse_control_characters(request: Request[Any, Any, Any]) -> None:
    """``before_request`` of the API: a query parameter holding a control character (NUL,
    a newline) is refused with 400 naming it. No filter or cursor of the API holds one, and
    a NUL cannot even be sent to PostgreSQL. (An id in the path that holds one names no
    report or job: 404, like any unknown id.) It runs after the token and the guards, so
    401 and 403 still come first. A coroutine: Litestar runs a plain function given as
    ``before_request`` in a thread, a hop for every request."""
    for name, value in request.query_params.items():
        if _CONTROL.search(name):
            raise ClientException("A query parameter's name holds a control character.")
        if isinstance(value, str) and _CONTROL.search(value):
            raise ClientException(f"The query parameter '{name[:40]}' holds a control character.")
