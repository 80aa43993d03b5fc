"""Identity at the edge: the bearer token becomes the caller's ``Principal`` once.

Every route under ``/api/v1`` passes through ``BearerAuthentication`` before
anything else about the request is looked at (its parameters, its body), so a
missing or bad token answers 401 first. Handlers take the ``principal``
dependency; use cases get the principal, never the token.
"""

from collections.abc import Callable
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp

from application.common.errors import AuthenticationFailed
from application.common.ports import TokenVerifier
from domain.principal import Principal


class BearerAuthentication(AbstractAuthenticationMiddleware):
    """Verifies ``Authorization: Bearer <token>`` (RFC 6750, header form only)."""

    def __init__(self, app: ASGIApp, verifier: Callable[[], TokenVerifier]) -> None:
        super().__init__(app)
        self._verifier = verifier

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        """The principal the token vouches for; ``AuthenticationFailed`` (401) otherwise."""
        token = bearer_token(connection.headers.get("authorization"))
        return AuthenticationResult(user=self._verifier().verify(token), auth=token)


def bearer_token(header: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header.

    No header, a header in another scheme, or a Bearer header without a token
    is refused.
    """
    if header is None:
        raise AuthenticationFailed("A bearer token is required.", credentials_present=False)
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed("The Authorization header must be 'Bearer <token>'.")
    return token.strip()


def principal_of(request: Request[Principal, str, Any]) -> Principal:
    """The caller of an authenticated request (the ``principal`` dependency)."""
    return request.user


async def administrators_only(
    connection: ASGIConnection[Any, Principal, Any, Any], handler: BaseRouteHandler
) -> None:
    """Guard of the report administration routes: the ``reports:admin`` scope is checked
    before the body is read, so a caller without it gets 403 whatever it sent. The use
    cases check it again: they are the place of the rule, this only orders the answers."""
    if not _lists_methods(handler):
        connection.user.ensure_admin()


async def generators_only(
    connection: ASGIConnection[Any, Principal, Any, Any], handler: BaseRouteHandler
) -> None:
    """Guard of generate: the ``reports:generate`` scope is checked before the body is
    read (403 before 400). The report's ``allowedRoles`` are checked by the use case.

    The guards are coroutines: Litestar runs a plain function given as a guard in a
    thread, a hop for every request."""
    if not _lists_methods(handler):
        connection.user.ensure_may_generate()


async def job_readers_only(
    connection: ASGIConnection[Any, Principal, Any, Any], handler: BaseRouteHandler
) -> None:
    """Guard of the job routes: a caller who may read no job gets 403 before its query
    parameters or the job it names are judged."""
    if not _lists_methods(handler):
        connection.user.ensure_may_read_jobs()


def _lists_methods(handler: BaseRouteHandler) -> bool:
    """Whether ``handler`` is Litestar's ``OPTIONS`` answer, which only lists the methods
    (``Allow``) and is given without a token, so the guards leave it alone."""
    return isinstance(handler, HTTPRouteHandler) and handler.http_methods == {"OPTIONS"}
