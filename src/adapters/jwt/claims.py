"""The claims of a token whose signature checked out, read strictly.

PyJWT checks ``exp`` by converting it with ``int()``, so it would take ``"9999999999"`` (a
string) or ``1e20``; it decodes JSON with the last of repeated names winning; and an OAuth 2
scope is split on spaces only (RFC 6749), not on any whitespace. These rules close those gaps.
"""

import json
import math
import time
from typing import Any

from jwt.utils import base64url_decode

from application.common.errors import AuthenticationFailed
from domain.principal import Principal

#: The longest subject: what the job records keep of it.
MAX_SUBJECT_LENGTH = 255


def refuse_repeated_names(token: str) -> None:
    """``AuthenticationFailed`` if the token's header or claims name a member twice
    (``{"sub": "alice", "sub": "root"}``): which one counts is not for the parser to pick."""
    for part in token.split(".")[:2]:
        json.loads(base64url_decode(part), object_pairs_hook=_unique)


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):
        raise AuthenticationFailed("The token names a claim twice.")
    return members


def check_times(claims: dict[str, Any], *, max_lifetime: float, leeway: float) -> float:
    """``exp`` as POSIX seconds once ``exp``, ``nbf`` and ``iat`` are numbers and the token
    lives at most ``max_lifetime`` seconds (from ``iat``, and from now)."""
    times = {name: _number(claims, name) for name in ("exp", "nbf", "iat") if name in claims}
    exp = times["exp"]
    if exp - time.time() > max_lifetime + leeway or exp - times.get("iat", exp) > max_lifetime:
        raise AuthenticationFailed(
            f"The token lives longer than the {max_lifetime:g} seconds allowed."
        )
    return exp


def _number(claims: dict[str, Any], name: str) -> float:
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise AuthenticationFailed(f"The token's '{name}' claim is not a number.")
    return float(value)


def principal_from(claims: dict[str, Any]) -> Principal:
    """The caller the claims name: ``sub``, ``roles`` (a list), ``scope`` (space-separated)."""
    subject = claims.get("sub")
    if (
        not isinstance(subject, str)
        or not subject.strip()
        or len(subject) > MAX_SUBJECT_LENGTH
        or not subject.isprintable()
    ):
        raise AuthenticationFailed("The token's subject is not valid.")
    roles = claims.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise AuthenticationFailed("The token's roles are not a list of strings.")
    scope = claims.get("scope", "")
    if not isinstance(scope, str):
        raise AuthenticationFailed("The token's scope is not a string.")
    scopes = frozenset(name for name in scope.split(" ") if name)
    return Principal(subject, roles=frozenset(roles), scopes=scopes)
