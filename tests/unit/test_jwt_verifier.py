"""PyJwtTokenVerifier and PyJwtTokenIssuer: accepted tokens and how verifiers are built."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.types import Options

from adapters.jwt import PyJwtTokenIssuer, PyJwtTokenVerifier
from application.common.errors import AuthenticationFailed
from domain.principal import Principal

SECRET = "a-development-secret-of-at-least-32-bytes"
UNVERIFIED: Options = {"verify_signature": False}


def public_pem(
    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey,
) -> bytes:
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def claims(**extra: object) -> dict[str, object]:
    now = int(datetime.now(UTC).timestamp())
    return {"sub": "alice", "exp": now + 300, **extra}


def test_hs256_token_yields_subject_roles_and_scopes() -> None:
    token = jwt.encode(
        claims(roles=["analyst", "sales"], scope="reports:generate reports:admin"),
        SECRET,
        algorithm="HS256",
    )

    principal = PyJwtTokenVerifier.for_secret(SECRET).verify(token)

    assert principal == Principal(
        "alice",
        roles=frozenset({"analyst", "sales"}),
        scopes=frozenset({"reports:generate", "reports:admin"}),
    )


def test_token_without_roles_or_scope_has_none() -> None:
    token = jwt.encode(claims(), SECRET, algorithm="HS256")

    assert PyJwtTokenVerifier.for_secret(SECRET).verify(token) == Principal("alice")


def test_rs256_token_is_accepted_with_the_rsa_public_key() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(claims(scope="reports:generate"), key, algorithm="RS256")

    principal = PyJwtTokenVerifier.for_public_key_pem(public_pem(key)).verify(token)

    assert principal.subject == "alice"
    assert principal.scopes == frozenset({"reports:generate"})


def test_es256_token_is_accepted_with_the_p256_public_key() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    token = jwt.encode(claims(roles=["analyst"]), key, algorithm="ES256")

    principal = PyJwtTokenVerifier.for_public_key_pem(public_pem(key)).verify(token)

    assert principal.roles == frozenset({"analyst"})


def test_audience_in_token_is_accepted_when_none_is_configured() -> None:
    token = jwt.encode(claims(aud="someone-else"), SECRET, algorithm="HS256")

    assert PyJwtTokenVerifier.for_secret(SECRET).verify(token).subject == "alice"


def test_configured_issuer_and_audience_are_accepted_when_they_match() -> None:
    token = jwt.encode(claims(iss="https://idp", aud="reportgen"), SECRET, algorithm="HS256")
    verifier = PyJwtTokenVerifier.for_secret(SECRET, issuer="https://idp", audience="reportgen")

    assert verifier.verify(token).subject == "alice"


WEAK_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
REFUSED_KEYS = {
    "p384": (public_pem(ec.generate_private_key(ec.SECP384R1())), "P-256"),
    "rsa-1024": (public_pem(WEAK_RSA_KEY), "2048"),
    "ed25519": (public_pem(ed25519.Ed25519PrivateKey.generate()), "RSA or a P-256"),
    "not-pem": (b"-----BEGIN PUBLIC KEY-----\nnope\n", "PEM"),
}


@pytest.mark.parametrize(("pem", "reason"), REFUSED_KEYS.values(), ids=REFUSED_KEYS.keys())
def test_unsuitable_public_keys_are_refused(pem: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        PyJwtTokenVerifier.for_public_key_pem(pem)


@pytest.mark.parametrize("algorithms", [[], ["none"], ["HS256", "RS256"], ["HS512"]])
def test_unsafe_algorithm_lists_are_refused(algorithms: list[str]) -> None:
    with pytest.raises(ValueError, match="algorithms"):
        PyJwtTokenVerifier(SECRET, algorithms)


def test_issued_token_round_trips_through_the_verifier() -> None:
    issuer = PyJwtTokenIssuer(SECRET, issuer="https://idp", audience="reportgen")
    token = issuer.issue(
        "alice", ["analyst"], ["reports:generate reports:admin"], 600, datetime.now(UTC)
    )
    verifier = PyJwtTokenVerifier.for_secret(SECRET, issuer="https://idp", audience="reportgen")

    assert verifier.verify(token) == Principal(
        "alice",
        roles=frozenset({"analyst"}),
        scopes=frozenset({"reports:generate", "reports:admin"}),
    )


def test_issued_token_carries_lifetime_and_a_fresh_jti() -> None:
    issuer = PyJwtTokenIssuer(SECRET)
    now = datetime(2030, 1, 1, tzinfo=UTC)

    first, second = (
        jwt.decode(issuer.issue("alice", [], ["a", "b"], 60, now), options=UNVERIFIED)
        for _ in range(2)
    )

    assert first["exp"] - first["iat"] == 60
    assert first["nbf"] == first["iat"] == int(now.timestamp())
    assert first["scope"] == "a b"
    assert first["jti"] != second["jti"]


def test_issued_token_expires_after_its_lifetime() -> None:
    token = PyJwtTokenIssuer(SECRET).issue(
        "alice", [], [], 60, datetime.now(UTC) - timedelta(minutes=5)
    )

    with pytest.raises(AuthenticationFailed, match="expired"):
        PyJwtTokenVerifier.for_secret(SECRET).verify(token)


@pytest.mark.parametrize(
    ("subject", "ttl", "now"),
    [(" ", 60, datetime.now(UTC)), ("alice", 0, datetime.now(UTC)), ("alice", 60, datetime.now())],
)
def test_issuer_refuses_blank_subject_bad_lifetime_and_naive_time(
    subject: str, ttl: int, now: datetime
) -> None:
    with pytest.raises(ValueError, match=r"subject|lifetime|timezone"):
        PyJwtTokenIssuer(SECRET).issue(subject, [], [], ttl, now)


def test_short_secrets_are_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        PyJwtTokenIssuer("x" * 31)
    with pytest.raises(ValueError, match="32 bytes"):
        PyJwtTokenVerifier.for_secret("x" * 31)
