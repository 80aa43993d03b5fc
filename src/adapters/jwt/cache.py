"""Each token verified once: the principal of a valid token is kept until the token expires."""

import threading
import time
from collections.abc import Callable

from cachetools import TLRUCache

from adapters.jwt.verifier import PyJwtTokenVerifier
from domain.principal import Principal

_Verified = tuple[Principal, float]


class CachedTokenVerifier:
    """The ``TokenVerifier`` port on ``PyJwtTokenVerifier``, verifying each token once.

    A token that verified is kept, keyed by the whole token, until its ``exp``
    (never longer); the least recently used go first once ``max_tokens`` are
    kept. A token that fails is never kept, so it fails again every time.
    """

    def __init__(
        self,
        verifier: PyJwtTokenVerifier,
        *,
        max_tokens: int,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._verifier = verifier
        self._verified: TLRUCache[str, _Verified] = TLRUCache(
            maxsize=max_tokens, ttu=_until_expiry, timer=now
        )
        self._lock = threading.Lock()

    def verify(self, token: str) -> Principal:
        """The token's principal; ``AuthenticationFailed`` if it is not valid."""
        with self._lock:
            kept = self._verified.get(token)
        if kept is not None:
            return kept[0]
        principal, expires_at = self._verifier.verify_until(token)
        with self._lock:
            self._verified[token] = (principal, expires_at)
        return principal


def _until_expiry(_token: str, verified: _Verified, _now: float) -> float:
    return verified[1]
