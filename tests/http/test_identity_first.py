"""Who is calling is settled before anything else about a request is judged.

Every route under ``/api/v1`` answers a missing or bad token with 401 and a
Bearer challenge, whatever else is wrong with the request: its body, its size,
its query parameters, the report or job it names. The open routes stay open.
"""

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.container import Container
from tests.http.conftest import TokenFactory, bearer, job_rows

GENERATE = "/api/v1/reports/report-123/generate"
NO_TOKEN = {}
BAD_TOKEN = {"Authorization": "Bearer not-a-jwt"}

# Requests with something else wrong too, and what they answer with a valid token.
FLAWED = {
    "malformed JSON": ("POST", GENERATE, {"content": b'{"parameters": '}, 400),
    "body over 64 KiB": ("POST", GENERATE, {"content": b"[" + b"1," * 40_000 + b"1]"}, 413),
    "unknown field": ("POST", GENERATE, {"json": {"colour": "red"}}, 400),
    "unknown report": ("POST", "/api/v1/reports/nope/generate", {}, 404),
    "report body not a report": ("POST", "/api/v1/reports", {"json": {"id": 1}}, 400),
    "limit out of range": ("GET", "/api/v1/jobs?limit=0", {}, 400),
    "bad status filter": ("GET", "/api/v1/jobs?status=Done", {}, 400),
    "unknown job": ("GET", "/api/v1/jobs/nope", {}, 404),
    "cancel unknown job": ("DELETE", "/api/v1/jobs/nope", {}, 404),
    "body not UTF-8": (
        "POST",
        GENERATE,
        {"content": b'{"parameters": {"region": "\xc0\xaf"}}'},
        400,
    ),
    "body nested 5,000 deep": (
        "POST",
        GENERATE,
        {"content": b'{"parameters": ' + b"[" * 5000},
        400,
    ),
    "admin body nested 5,000 deep": ("POST", "/api/v1/reports", {"content": b"[" * 5000}, 400),
    "NUL in a job id": ("GET", "/api/v1/jobs/%00", {}, 404),
    "newline in a report id": ("POST", "/api/v1/reports/report-123%0A/generate", {}, 404),
    "NUL in a filter": ("GET", "/api/v1/jobs?reportId=%00", {}, 400),
}


@pytest.mark.parametrize("headers", [NO_TOKEN, BAD_TOKEN], ids=["no token", "bad token"])
@pytest.mark.parametrize(("method", "url", "send", "with_token"), FLAWED.values(), ids=FLAWED)
async def test_a_request_without_a_valid_token_is_401_before_anything_else(
    client: AsyncTestClient,
    container: Container,
    token: TokenFactory,
    headers: dict[str, str],
    method: str,
    url: str,
    send: dict[str, object],
    with_token: int,
) -> None:
    answered = await client.request(method, url, headers=headers, **send)  # type: ignore[arg-type]

    assert answered.status_code == 401
    assert answered.headers["www-authenticate"].startswith('Bearer realm="reportgen"')
    assert answered.json()["error"]
    assert await job_rows(container) == []
    # The same request with a valid administrator's token is judged on its merits.
    admin = bearer(token(scopes=("reports:generate", "reports:admin")))
    judged = await client.request(method, url, headers=admin, **send)  # type: ignore[arg-type]
    assert judged.status_code == with_token


@pytest.mark.parametrize("path", ["/health", "/health/ready", "/metrics", "/schema/openapi.json"])
async def test_health_metrics_and_the_schema_need_no_token(
    client: AsyncTestClient, path: str
) -> None:
    answered = await client.get(path)
    assert answered.status_code == 200


@pytest.mark.parametrize(("method", "url", "send", "with_token"), FLAWED.values(), ids=FLAWED)
async def test_a_caller_without_the_scope_is_403_before_the_request_is_judged(
    client: AsyncTestClient,
    container: Container,
    token: TokenFactory,
    method: str,
    url: str,
    send: dict[str, object],
    with_token: int,
) -> None:
    no_scope = bearer(token(scopes=()))
    answered = await client.request(method, url, headers=no_scope, **send)  # type: ignore[arg-type]

    assert answered.status_code == 403
    assert "scope" in answered.json()["error"]
    assert await job_rows(container) == []
