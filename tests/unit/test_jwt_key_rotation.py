"""Rotating the signing key: while it is rotated, tokens signed with the old key and with
the new one are both accepted, and nothing else is."""

from datetime import UTC, datetime
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from adapters.jwt import PyJwtTokenVerifier
from application.common.errors import AuthenticationFailed
from entrypoints.composition import build_token_verifier
from entrypoints.settings import Settings, SettingsError
from tests.unit.test_jwt_verifier import public_pem

NEW = "the-new-secret-that-is-at-least-32-bytes"
OLD = "the-old-secret-that-is-at-least-32-bytes"
OTHER = "another-secret-that-is-at-least-32-bytes"


def token(key: object, algorithm: str = "HS256", *, ttl: int = 300) -> str:
    now = int(datetime.now(UTC).timestamp())
    return jwt.encode({"sub": "alice", "exp": now + ttl}, key, algorithm=algorithm)  # type: ignore[arg-type]


def test_tokens_of_the_new_and_the_previous_secret_are_accepted_and_no_other() -> None:
    verifier = PyJwtTokenVerifier.for_secret(NEW, previous=OLD)

    assert verifier.verify(token(NEW)).subject == "alice"
    assert verifier.verify(token(OLD)).subject == "alice"
    with pytest.raises(AuthenticationFailed, match="not valid"):
        verifier.verify(token(OTHER))


def test_a_token_of_the_previous_secret_is_still_checked_whole() -> None:
    verifier = PyJwtTokenVerifier.for_secret(NEW, previous=OLD)

    with pytest.raises(AuthenticationFailed, match="expired"):
        verifier.verify(token(OLD, ttl=-120))


def test_without_a_previous_secret_the_old_one_is_refused() -> None:
    with pytest.raises(AuthenticationFailed, match="not valid"):
        PyJwtTokenVerifier.for_secret(NEW).verify(token(OLD))


def test_a_short_previous_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        PyJwtTokenVerifier.for_secret(NEW, previous="short")


def test_every_public_key_of_the_file_is_accepted_rsa_and_ec_alike() -> None:
    old_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    new_key = ec.generate_private_key(ec.SECP256R1())
    stranger = ec.generate_private_key(ec.SECP256R1())
    verifier = PyJwtTokenVerifier.for_public_key_pem(public_pem(new_key) + public_pem(old_key))

    assert verifier.verify(token(new_key, "ES256")).subject == "alice"
    assert verifier.verify(token(old_key, "RS256")).subject == "alice"
    with pytest.raises(AuthenticationFailed, match="not valid"):
        verifier.verify(token(stranger, "ES256"))


def test_the_service_accepts_the_previous_secret_it_is_given(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "REPORTGEN_DATA_DIR": str(tmp_path),
            "REPORTGEN_JWT_SECRET": NEW,
            "REPORTGEN_JWT_PREVIOUS_SECRET": OLD,
        }
    )

    assert build_token_verifier(settings).verify(token(OLD)).subject == "alice"
    assert OLD not in repr(settings)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"REPORTGEN_JWT_PREVIOUS_SECRET": OLD}, "without REPORTGEN_JWT_SECRET"),
        ({"REPORTGEN_JWT_SECRET": NEW, "REPORTGEN_JWT_PREVIOUS_SECRET": "short"}, "32 bytes"),
    ],
)
def test_a_previous_secret_alone_or_too_short_stops_the_program(
    tmp_path: Path, variables: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({"REPORTGEN_DATA_DIR": str(tmp_path), **variables})
