"""PyJwtTokenIssuer: signs HS256 tokens for the ``reportgen token`` command and for tests."""

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import jwt

from adapters.jwt.verifier import MIN_SECRET_BYTES


class PyJwtTokenIssuer:
    """Issues HS256 JWTs that ``PyJwtTokenVerifier.for_secret`` with the same secret accepts."""

    def __init__(
        self, secret: str, *, issuer: str | None = None, audience: str | None = None
    ) -> None:
        if len(secret.encode("utf-8")) < MIN_SECRET_BYTES:
            raise ValueError(f"The JWT secret must be at least {MIN_SECRET_BYTES} bytes long.")
        self._secret = secret
        self._issuer = issuer
        self._audience = audience

    def issue(
        self,
        subject: str,
        roles: Sequence[str],
        scopes: Sequence[str],
        ttl_seconds: int,
        now: datetime,
    ) -> str:
        """A signed token for ``subject``, valid from ``now`` for ``ttl_seconds``.

        ``scopes`` may hold single scopes or space-separated groups of them (as typed
        after ``--scope``); they become one OAuth 2 ``scope`` string. Each token gets a
        random ``jti``.
        """
        if not subject.strip():
            raise ValueError("The token subject must not be empty.")
        if isinstance(roles, str) or isinstance(scopes, str):
            raise TypeError("Roles and scopes must be sequences of strings, not one string.")
        if ttl_seconds <= 0:
            raise ValueError("The token lifetime must be a positive number of seconds.")
        if now.tzinfo is None:
            raise ValueError("The issue time must be timezone-aware.")
        issued_at = int(now.timestamp())
        claims: dict[str, Any] = {
            "sub": subject,
            "iat": issued_at,
            "nbf": issued_at,
            "exp": issued_at + ttl_seconds,
            "roles": list(roles),
            "scope": " ".join(name for group in scopes for name in group.split()),
            "jti": secrets.token_urlsafe(16),
        }
        if self._issuer is not None:
            claims["iss"] = self._issuer
        if self._audience is not None:
            claims["aud"] = self._audience
        return jwt.encode(claims, self._secret, algorithm="HS256")
