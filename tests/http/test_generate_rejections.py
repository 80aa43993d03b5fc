"""Requests the generate endpoint refuses: no valid token (401), bodies that do not fit (4xx).

Nothing is created for any of them.
"""

import base64
import json

import jwt
import pytest
from litestar.testing import AsyncTestClient

from entrypoints.container import Container
from tests.http.conftest import SECRET, TokenFactory, bearer, job_rows

URL = "/api/v1/reports/report-123/generate"


def _unsigned(claims: dict[str, object], alg: str = "none") -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': alg, 'typ': 'JWT'})}.{part(claims)}."


VALID_CLAIMS = {
    "sub": "alice",
    "exp": 4102444800,
    "roles": ["analyst"],
    "scope": "reports:generate",
}

BAD_AUTHORIZATION = {
    "basic-scheme": "Basic YWxpY2U6c2VjcmV0",
    "bearer-without-token": "Bearer ",
    "garbage": "Bearer not-a-jwt",
    "alg-none": f"Bearer {_unsigned(VALID_CLAIMS)}",
    "wrong-signature": "Bearer "
    + jwt.encode(VALID_CLAIMS, "another-secret-of-at-least-32-bytes!!"),
    "hs512-not-allowed": "Bearer " + jwt.encode(VALID_CLAIMS, SECRET, algorithm="HS512"),
    "expired": "Bearer " + jwt.encode({**VALID_CLAIMS, "exp": 1_000_000_000}, SECRET),
    "no-exp": "Bearer " + jwt.encode({k: v for k, v in VALID_CLAIMS.items() if k != "exp"}, SECRET),
    "no-sub": "Bearer " + jwt.encode({k: v for k, v in VALID_CLAIMS.items() if k != "sub"}, SECRET),
}


async def test_missing_token_is_401_with_a_bearer_challenge(
    client: AsyncTestClient,
    container: Container,
) -> None:
    response = await client.post(URL)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="reportgen"'
    assert response.json()["error"]
    assert await job_rows(container) == []


@pytest.mark.parametrize("authorization", BAD_AUTHORIZATION.values(), ids=BAD_AUTHORIZATION.keys())
async def test_invalid_token_is_401_with_invalid_token_challenge(
    client: AsyncTestClient,
    container: Container,
    authorization: str,
) -> None:
    response = await client.post(URL, headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer ")
    assert response.json()["error"]
    assert await job_rows(container) == []


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"parameters": {"country": "FR"}}, 422, "Unknown parameter 'country'"),
        ({"parameters": {"start_date": 20240101}}, 422, "Parameter 'start_date' must be"),
        ({"parameters": {"start_date": "2024-02-30"}}, 422, "Parameter 'start_date' must be"),
        ({"parameters": {"region": ["North"]}}, 422, "Parameter 'region' must be"),
        ({"format": "pdf"}, 422, "Format 'pdf' is not offered"),
        ({"format": 3}, 400, "request body is not valid"),
        ({"parameters": []}, 400, "request body is not valid"),
        ({"reportId": "report-123"}, 400, "unknown field"),
        ([1, 2], 400, "request body is not valid"),
    ],
)
async def test_body_that_does_not_fit_is_rejected_and_creates_nothing(
    client: AsyncTestClient,
    container: Container,
    token: TokenFactory,
    body: object,
    status: int,
    fragment: str,
) -> None:
    response = await client.post(URL, json=body, headers=bearer(token()))
    assert response.status_code == status
    assert fragment in response.json()["error"]
    assert await job_rows(container) == []


@pytest.mark.parametrize(
    "raw", [b"{not json", b'{"parameters": {', b"\xff\xfe", b"null null"], ids=repr
)
async def test_body_that_is_not_json_is_400(
    client: AsyncTestClient,
    container: Container,
    token: TokenFactory,
    raw: bytes,
) -> None:
    headers = {**bearer(token()), "Content-Type": "application/json"}
    response = await client.post(URL, content=raw, headers=headers)
    assert response.status_code == 400
    assert response.json() == {"error": "The request body is not valid JSON."}
    assert await job_rows(container) == []


async def test_body_over_64_kib_is_413(
    client: AsyncTestClient,
    container: Container,
    token: TokenFactory,
) -> None:
    body = json.dumps({"parameters": {"region": "x" * (64 * 1024)}}).encode()
    headers = {**bearer(token()), "Content-Type": "application/json"}
    response = await client.post(URL, content=body, headers=headers)
    assert response.status_code == 413
    assert "64 KiB" in response.json()["error"]
    assert await job_rows(container) == []


async def test_body_just_under_64_kib_is_read(
    client: AsyncTestClient,
    container: Container,
    token: TokenFactory,
) -> None:
    body = json.dumps({"parameters": {"region": "North"}, "format": "csv"}).encode()
    padded = body[:-1] + b" " * (64 * 1024 - len(body)) + b"}"
    headers = {**bearer(token()), "Content-Type": "application/json"}
    response = await client.post(URL, content=padded, headers=headers)
    assert response.status_code == 202
    assert len(await job_rows(container)) == 1
