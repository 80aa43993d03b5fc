"""Forged, tampered and malformed tokens: PyJwtTokenVerifier answers each with AuthenticationFailed.

``pytest.raises(AuthenticationFailed)`` lets any other exception fail the test, so these also
prove that nothing but the port's own error leaves the verifier.
"""

import base64
import hashlib
import hmac
import json
import os
from datetime import UTC, datetime

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from adapters.jwt import PyJwtTokenVerifier
from application.common.errors import AuthenticationFailed

SECRET = "a-development-secret-of-at-least-32-bytes"


def public_pem(private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


HS256 = PyJwtTokenVerifier.for_secret(SECRET)
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_PEM = public_pem(RSA_KEY)
RS256 = PyJwtTokenVerifier.for_public_key_pem(RSA_PEM)


def now() -> int:
    return int(datetime.now(UTC).timestamp())


def claims(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {"sub": "alice", "exp": now() + 300, "scope": "reports:admin"}
    base.update(changes)
    return {name: value for name, value in base.items() if value is not ...}


def segment(data: object) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def hmac_signed(header: dict[str, object], payload: object, key: bytes) -> str:
    """A token signed by hand, for keys and payloads PyJWT itself refuses to sign."""
    signing_input = f"{segment(header)}.{segment(payload)}"
    digest = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{segment(digest)}"


def assert_rejected(verifier: PyJwtTokenVerifier, token: str) -> None:
    with pytest.raises(AuthenticationFailed, match=r"^The token"):
        verifier.verify(token)


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
@pytest.mark.parametrize("verifier", [HS256, RS256], ids=["hs256", "rs256"])
@pytest.mark.parametrize("signature", ["", "c2lnbmF0dXJl"])
def test_unsigned_token_is_rejected(alg: str, verifier: PyJwtTokenVerifier, signature: str) -> None:
    header = segment({"alg": alg, "typ": "JWT"})
    assert_rejected(verifier, f"{header}.{segment(claims())}.{signature}")


@pytest.mark.parametrize("pem", [RSA_PEM, RSA_PEM.strip()], ids=["pem", "stripped-pem"])
def test_hs256_token_keyed_with_the_public_key_is_rejected_by_rs256(pem: bytes) -> None:
    assert_rejected(RS256, hmac_signed({"alg": "HS256", "typ": "JWT"}, claims(), pem))


def swapped_payload() -> str:
    header, _, signature = jwt.encode(claims(), SECRET, algorithm="HS256").split(".")
    return f"{header}.{segment(claims(sub='mallory'))}.{signature}"


FORGED = {
    "another-secret": jwt.encode(claims(), "another-secret-also-32-bytes-long", algorithm="HS256"),
    "swapped-payload": swapped_payload(),
    "rs256-token": jwt.encode(claims(), RSA_KEY, algorithm="RS256"),
}


@pytest.mark.parametrize("token", FORGED.values(), ids=FORGED.keys())
def test_token_not_signed_with_the_secret_is_rejected_by_hs256(token: str) -> None:
    assert_rejected(HS256, token)


def test_es256_token_from_another_key_is_rejected() -> None:
    verifier = PyJwtTokenVerifier.for_public_key_pem(
        public_pem(ec.generate_private_key(ec.SECP256R1()))
    )
    forger = ec.generate_private_key(ec.SECP256R1())
    assert_rejected(verifier, jwt.encode(claims(), forger, algorithm="ES256"))


BAD_CLAIMS: dict[str, dict[str, object]] = {
    "missing-exp": {"exp": ...},
    "missing-sub": {"sub": ...},
    "empty-sub": {"sub": ""},
    "blank-sub": {"sub": "   "},
    "number-sub": {"sub": 123},
    "list-sub": {"sub": ["alice"]},
    "text-exp": {"exp": "soon"},
    "string-roles": {"roles": "analyst"},
    "object-roles": {"roles": {"analyst": True}},
    "number-in-roles": {"roles": ["analyst", 7]},
    "list-scope": {"scope": ["reports:generate"]},
    "number-scope": {"scope": 1},
    "future-nbf": {"nbf": now() + 3600},
    "future-iat": {"iat": now() + 3600},
    "numeric-string-exp": {"exp": str(now() + 300)},
    "huge-float-exp": {"exp": 1e20},
    "boolean-exp": {"exp": True},
    "exp-beyond-the-lifetime": {"exp": now() + 25 * 3600},
    "exp-beyond-the-lifetime-from-iat": {"iat": now() - 24 * 3600, "exp": now() + 300},
    "text-iat": {"iat": str(now())},
    "text-nbf": {"nbf": str(now())},
    "sub-over-255-characters": {"sub": "a" * 256},
    "nul-in-sub": {"sub": "alice\x00"},
    "newline-in-sub": {"sub": "alice\nroot"},
}


@pytest.mark.parametrize("changes", BAD_CLAIMS.values(), ids=BAD_CLAIMS.keys())
def test_token_with_missing_or_ill_typed_claims_is_rejected(changes: dict[str, object]) -> None:
    assert_rejected(HS256, hmac_signed({"alg": "HS256"}, claims(**changes), SECRET.encode()))


def test_token_expired_beyond_the_leeway_is_rejected() -> None:
    assert_rejected(HS256, jwt.encode(claims(exp=now() - 60), SECRET, algorithm="HS256"))


def test_token_expired_within_the_leeway_is_accepted() -> None:
    token = jwt.encode(claims(exp=now() - 10), SECRET, algorithm="HS256")
    assert HS256.verify(token).subject == "alice"


WRONG_PARTIES = {
    "wrong-iss": {"iss": "https://evil", "aud": "reportgen"},
    "wrong-aud": {"iss": "https://idp", "aud": "someone-else"},
    "missing-iss": {"aud": "reportgen"},
    "missing-aud": {"iss": "https://idp"},
}


@pytest.mark.parametrize("parties", WRONG_PARTIES.values(), ids=WRONG_PARTIES.keys())
def test_issuer_and_audience_are_enforced_when_configured(parties: dict[str, str]) -> None:
    verifier = PyJwtTokenVerifier.for_secret(SECRET, issuer="https://idp", audience="reportgen")
    assert_rejected(verifier, jwt.encode(claims(**parties), SECRET, algorithm="HS256"))


GARBAGE = {
    "empty": "",
    "word": "abc",
    "dots-abc": "a.b.c",
    "four-dots": "....",
    "random": base64.urlsafe_b64encode(os.urandom(96)).decode(),
    "nested-header": f"{segment(b'[' * 5000)}.{segment(claims())}.",
    "accents": "ééé.ñ.ü",
    "accent-tail": jwt.encode(claims(), SECRET, algorithm="HS256") + "é",
    "nul": "\x00.\x00.\x00",
    "signed-array-payload": hmac_signed({"alg": "HS256"}, [1, 2], SECRET.encode()),
    "signed-null-payload": hmac_signed({"alg": "HS256"}, None, SECRET.encode()),
}


@pytest.mark.parametrize("token", GARBAGE.values(), ids=GARBAGE.keys())
def test_garbage_is_rejected(token: str) -> None:
    assert_rejected(HS256, token)


def test_token_over_8_kib_is_rejected_even_when_validly_signed() -> None:
    token = jwt.encode(claims(padding="x" * 9 * 1024), SECRET, algorithm="HS256")
    assert_rejected(HS256, token)


def scopes_of(scope: str) -> frozenset[str]:
    token = hmac_signed({"alg": "HS256"}, claims(scope=scope), SECRET.encode())
    return HS256.verify(token).scopes


def test_scope_is_split_on_spaces_only() -> None:
    assert scopes_of("reports:admin  reports:generate") == {"reports:admin", "reports:generate"}
    assert scopes_of("reports:admin\treports:generate") == {"reports:admin\treports:generate"}
    assert scopes_of("reports:admin\nreports:generate") == {"reports:admin\nreports:generate"}


def repeated(name: str, first: object, second: object) -> str:
    base = {key: value for key, value in claims().items() if key != name}
    members = ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in base.items())
    payload = f'{{{members}, "{name}": {json.dumps(first)}, "{name}": {json.dumps(second)}}}'
    return hmac_signed({"alg": "HS256"}, payload.encode(), SECRET.encode())


@pytest.mark.parametrize(
    ("name", "first", "second"),
    [("sub", "alice", "root"), ("scope", "", "reports:admin"), ("exp", 60, 90)],
)
def test_a_claim_named_twice_is_rejected(name: str, first: str | int, second: str | int) -> None:
    if isinstance(first, int) and isinstance(second, int):  # exp: seconds from now
        first, second = now() + first, now() + second
    with pytest.raises(AuthenticationFailed, match="names a claim twice"):
        HS256.verify(repeated(name, first, second))


def test_the_longest_lifetime_is_configurable() -> None:
    verifier = PyJwtTokenVerifier.for_secret(SECRET, max_lifetime_seconds=600)
    assert verifier.verify(jwt.encode(claims(exp=now() + 500), SECRET, algorithm="HS256"))
    assert_rejected(verifier, jwt.encode(claims(exp=now() + 3600), SECRET, algorithm="HS256"))
    assert HS256.verify(jwt.encode(claims(exp=now() + 23 * 3600), SECRET, algorithm="HS256"))
