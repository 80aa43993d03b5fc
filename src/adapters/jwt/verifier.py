"""PyJwtTokenVerifier: the ``TokenVerifier`` port on PyJWT, with a fixed algorithm allow-list."""

import re
from collections.abc import Sequence
from contextlib import suppress
from typing import Any, Self

import jwt
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from adapters.jwt.claims import check_times, principal_from, refuse_repeated_names
from application.common.errors import AuthenticationFailed
from domain.principal import Principal

MAX_TOKEN_LENGTH = 8 * 1024
MIN_SECRET_BYTES = 32
MIN_RSA_KEY_BITS = 2048
DEFAULT_MAX_LIFETIME_SECONDS = 24 * 3600
_SUPPORTED_ALGORITHMS = frozenset({"HS256", "RS256", "ES256"})
_PEM_BLOCK = re.compile(
    rb"-----BEGIN [A-Z ]*PUBLIC KEY-----.+?-----END [A-Z ]*PUBLIC KEY-----", re.S
)
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey
#: A secret (HS256) or a public key (RS256, ES256).
Key = str | bytes | PublicKey

_INVALID = "The token is not valid."


class PyJwtTokenVerifier:
    """Verifies signed JWTs and turns their claims into a ``Principal``.

    Only the algorithms given at construction are accepted, whatever the token's header
    says, and they are all symmetric or all asymmetric, so an attacker can neither send
    ``alg: none`` nor sign an HS256 token with the public key. ``exp`` and ``sub`` are
    required, ``exp`` a number at most ``max_lifetime_seconds`` ahead; claims are unique;
    ``iss`` and ``aud`` are checked only when configured. Every failure is an
    ``AuthenticationFailed`` with a short message that reveals nothing about the key.
    """

    def __init__(
        self,
        key: Key,
        algorithms: Sequence[str],
        *,
        other_keys: Sequence[tuple[Key, str]] = (),
        issuer: str | None = None,
        audience: str | None = None,
        leeway_seconds: int = 30,
        max_lifetime_seconds: float = DEFAULT_MAX_LIFETIME_SECONDS,
    ) -> None:
        chosen = list(algorithms)
        every = chosen + [algorithm for _, algorithm in other_keys]
        if not chosen or not set(every) <= _SUPPORTED_ALGORITHMS:
            raise ValueError(f"JWT algorithms must be among {sorted(_SUPPORTED_ALGORITHMS)}.")
        if len({name.startswith("HS") for name in every}) > 1:
            raise ValueError("JWT algorithms must not mix HMAC and public-key algorithms.")
        if leeway_seconds < 0:
            raise ValueError("The JWT leeway must not be negative.")
        if max_lifetime_seconds <= 0:
            raise ValueError("The JWT maximum lifetime must be positive.")
        self._keys = [(key, chosen), *((other, [algorithm]) for other, algorithm in other_keys)]
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_seconds
        self._max_lifetime = max_lifetime_seconds

    @classmethod
    def for_secret(
        cls,
        secret: str,
        *,
        previous: str | None = None,
        issuer: str | None = None,
        audience: str | None = None,
        leeway_seconds: int = 30,
        max_lifetime_seconds: float = DEFAULT_MAX_LIFETIME_SECONDS,
    ) -> Self:
        """A verifier of HS256 tokens signed with ``secret`` (at least 32 bytes), or, while a
        key is being rotated, with the ``previous`` one."""
        for key in (secret, previous or secret):
            if len(key.encode("utf-8")) < MIN_SECRET_BYTES:
                raise ValueError(f"The JWT secret must be at least {MIN_SECRET_BYTES} bytes long.")
        return cls(
            secret,
            ["HS256"],
            other_keys=[(previous, "HS256")] if previous else [],
            issuer=issuer,
            audience=audience,
            leeway_seconds=leeway_seconds,
            max_lifetime_seconds=max_lifetime_seconds,
        )

    @classmethod
    def for_public_key_pem(
        cls,
        pem: bytes,
        *,
        issuer: str | None = None,
        audience: str | None = None,
        leeway_seconds: int = 30,
        max_lifetime_seconds: float = DEFAULT_MAX_LIFETIME_SECONDS,
    ) -> Self:
        """A verifier of RS256 (RSA key) or ES256 (P-256 key) tokens for the PEM public keys
        in ``pem``: one, or several one after the other while keys are rotated (a token
        signed by the private half of any of them is accepted)."""
        blocks = _PEM_BLOCK.findall(pem)
        if not blocks:
            raise ValueError("The JWT public key is not a PEM-encoded public key.")
        (first, algorithm), *others = [_public_key(block) for block in blocks]
        return cls(
            first,
            [algorithm],
            other_keys=others,
            issuer=issuer,
            audience=audience,
            leeway_seconds=leeway_seconds,
            max_lifetime_seconds=max_lifetime_seconds,
        )

    def verify(self, token: str) -> Principal:
        """Return the token's principal; raise ``AuthenticationFailed`` if it is not valid."""
        return self.verify_until(token)[0]

    def verify_until(self, token: str) -> tuple[Principal, float]:
        """The token's principal and its ``exp`` (POSIX seconds), or ``AuthenticationFailed``."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
            raise AuthenticationFailed(_INVALID)
        try:
            claims = self._decode(token)
            refuse_repeated_names(token)
            expires = check_times(claims, max_lifetime=self._max_lifetime, leeway=self._leeway)
        except AuthenticationFailed:
            raise
        except jwt.ExpiredSignatureError as exc:
            raise AuthenticationFailed("The token has expired.") from exc
        except jwt.ImmatureSignatureError as exc:
            raise AuthenticationFailed("The token is not valid yet.") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise AuthenticationFailed(f"The token lacks the '{exc.claim}' claim.") from exc
        except (jwt.PyJWTError, ValueError, TypeError, OverflowError, RecursionError) as exc:
            raise AuthenticationFailed(_INVALID) from exc
        return principal_from(claims), expires

    def _decode(self, token: str) -> dict[str, Any]:
        """The claims of ``token``, checked with the first key that signed it."""
        *others, (last_key, last_algorithms) = self._keys
        for key, algorithms in others:
            with suppress(jwt.InvalidSignatureError, jwt.InvalidAlgorithmError):
                return self._decode_with(token, key, algorithms)
        return self._decode_with(token, last_key, last_algorithms)

    def _decode_with(self, token: str, key: Key, algorithms: list[str]) -> dict[str, Any]:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            options={"require": ["exp", "sub"], "verify_aud": self._audience is not None},
            issuer=self._issuer,
            audience=self._audience,
            leeway=self._leeway,
        )
        return claims


def _public_key(pem: bytes) -> tuple[PublicKey, str]:
    """One PEM public key and its algorithm (RS256 for RSA, ES256 for P-256)."""
    try:
        public_key = load_pem_public_key(pem)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ValueError("The JWT public key is not a PEM-encoded public key.") from exc
    if isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size < MIN_RSA_KEY_BITS:
            raise ValueError(f"The JWT RSA key must have at least {MIN_RSA_KEY_BITS} bits.")
        return public_key, "RS256"
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        if not isinstance(public_key.curve, ec.SECP256R1):
            raise ValueError("The JWT EC public key must be on the P-256 curve (ES256).")
        return public_key, "ES256"
    raise ValueError("The JWT public key must be an RSA or a P-256 EC key.")
