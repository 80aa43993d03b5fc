"""Token attacks through the real app: every one is a 401 with a Bearer challenge, never a 500."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from litestar.testing import AsyncTestClient

from entrypoints.http.app import create_app
from tests.http.conftest import job_rows, prepared_container
from tests.security.test_token_attacks import hmac_signed

URL = "/api/v1/reports/report-123/generate"
ISSUER = "https://idp.example.com"
AUDIENCE = "reportgen"
PRIVATE_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = PRIVATE_KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)


def claims(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "sub": "alice",
        "exp": _at(timedelta(minutes=5)),
        "iss": ISSUER,
        "aud": AUDIENCE,
        "roles": ["analyst"],
        "scope": "reports:generate",
    }
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


def _at(offset: timedelta) -> int:
    return int((datetime.now(UTC) + offset).timestamp())


def rs256(**changes: object) -> str:
    return jwt.encode(claims(**changes), PRIVATE_KEY, algorithm="RS256")


def _drop(name: str) -> dict[str, object]:
    return {name: None}


ATTACKS = {
    "alg-none": jwt.encode(claims(), None, algorithm="none"),
    "hs256-signed-with-the-public-key": hmac_signed({"alg": "HS256"}, claims(), PUBLIC_PEM),
    "expired": rs256(exp=_at(-timedelta(hours=1))),
    "missing-exp": rs256(**_drop("exp")),
    "missing-sub": rs256(**_drop("sub")),
    "wrong-issuer": rs256(iss="https://evil.example.com"),
    "missing-issuer": rs256(**_drop("iss")),
    "wrong-audience": rs256(aud="another-service"),
    "missing-audience": rs256(**_drop("aud")),
    "other-key": jwt.encode(
        claims(), rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256"
    ),
    "garbage": "definitely.not.a-token",
    "empty-segments": "..",
    "huge": "a" * 9000,
}


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[AsyncTestClient]:
    key_file = tmp_path / "public.pem"
    key_file.write_bytes(PUBLIC_PEM)
    container = await prepared_container(
        {
            "REPORTGEN_DATA_DIR": str(tmp_path),
            "REPORTGEN_JWT_PUBLIC_KEY_FILE": str(key_file),
            "REPORTGEN_JWT_ISSUER": ISSUER,
            "REPORTGEN_JWT_AUDIENCE": AUDIENCE,
        }
    )
    async with AsyncTestClient(app=create_app(container)) as test_client:
        test_client.container = container  # type: ignore[attr-defined]
        yield test_client


async def test_valid_rs256_token_is_accepted(client: AsyncTestClient) -> None:
    response = await client.post(URL, headers={"Authorization": f"Bearer {rs256()}"})
    assert response.status_code == 202


@pytest.mark.parametrize("token", ATTACKS.values(), ids=ATTACKS.keys())
async def test_attack_is_401_and_creates_nothing(client: AsyncTestClient, token: str) -> None:
    response = await client.post(URL, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer realm="reportgen"')
    assert response.json()["error"]
    assert await job_rows(client.container) == []  # type: ignore[attr-defined]
