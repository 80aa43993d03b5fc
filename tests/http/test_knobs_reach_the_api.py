"""Knobs set in the environment change what the API does, not only what Settings holds."""

import time

import jwt
import pytest
from litestar.testing import AsyncTestClient

from tests.fakes import FakeScheduler
from tests.http.conftest import SECRET, TokenFactory, bearer
from tests.http.jobflow import generate


@pytest.mark.parametrize("env", [{"REPORTGEN_MAX_PAGE_SIZE": "2"}], indirect=True)
async def test_the_operators_largest_page_caps_a_larger_ask(
    client: AsyncTestClient, held: FakeScheduler, token: TokenFactory
) -> None:
    alice = token()
    for _ in range(3):
        await generate(client, alice)

    page = (await client.get("/api/v1/jobs?limit=50", headers=bearer(alice))).json()

    assert len(page["jobs"]) == 2
    assert page["next"] is not None


def expired_token(seconds_ago: int) -> str:
    claims = {
        "sub": "alice",
        "exp": int(time.time()) - seconds_ago,
        "roles": ["analyst"],
        "scope": "reports:generate",
    }
    return jwt.encode(claims, SECRET, algorithm="HS256")


@pytest.mark.parametrize(
    ("env", "status"),
    [({}, 200), ({"REPORTGEN_JWT_LEEWAY_SECONDS": "0"}, 401)],
    indirect=["env"],
)
async def test_the_clock_skew_allowed_for_tokens_is_the_configured_leeway(
    client: AsyncTestClient, status: int
) -> None:
    answer = await client.get("/api/v1/jobs", headers=bearer(expired_token(seconds_ago=5)))

    assert answer.status_code == status


@pytest.mark.parametrize(
    ("env", "status"),
    [({}, 200), ({"REPORTGEN_JWT_MAX_LIFETIME_SECONDS": "3600"}, 401)],
    indirect=["env"],
)
async def test_the_longest_token_lifetime_is_the_configured_one(
    client: AsyncTestClient, status: int
) -> None:
    two_hours = jwt.encode(
        {"sub": "alice", "exp": int(time.time()) + 7200, "scope": "reports:generate"},
        SECRET,
        algorithm="HS256",
    )
    answer = await client.get("/api/v1/jobs", headers=bearer(two_hours))

    assert answer.status_code == status
