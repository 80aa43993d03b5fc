"""Reading the bearer token out of a request (RFC 6750, header form only)."""

from typing import Any

from litestar import Request

from application.errors import AuthenticationFailed


def bearer_token(request: Request[Any, Any, Any]) -> str | None:
    """The token of ``Authorization: Bearer <token>``, or ``None`` without the header.

    A header in another scheme, or a Bearer header without a token, is refused.
    """
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed("The Authorization header must be 'Bearer <token>'.")
    return token.strip()
