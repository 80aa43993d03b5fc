"""Every answer carries ``X-Request-ID``: the client's when it is sane, else a new one."""

import re

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.container import Container
from tests.http.conftest import TokenFactory, bearer, job_rows

pytestmark = pytest.mark.usefixtures("held")

GENERATED = re.compile(r"[0-9a-f]{32}")


async def test_a_sane_request_id_is_echoed(client: AsyncTestClient) -> None:
    sent = "abc-123_X.y:z/" + "9" * 100

    answer = await client.get("/health", headers={"X-Request-ID": sent})

    assert answer.status_code == 200
    assert answer.headers["X-Request-ID"] == sent


async def test_a_request_without_an_id_gets_a_new_one_each_time(client: AsyncTestClient) -> None:
    first = await client.get("/health")
    second = await client.get("/health")

    assert GENERATED.fullmatch(first.headers["X-Request-ID"])
    assert GENERATED.fullmatch(second.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


@pytest.mark.parametrize(
    "insane",
    [b"abc\n123", b"a" * 129, b"x" * 500, b"with space", b"", b"caf\xc3\xa9", b"tab\there"],
    ids=["newline", "129 chars", "500 chars", "space", "empty", "non-ascii", "tab"],
)
async def test_an_insane_request_id_is_replaced_by_a_new_one(
    client: AsyncTestClient, insane: bytes
) -> None:
    answer = await client.get("/health", headers=[(b"X-Request-ID", insane)])

    assert answer.status_code == 200
    assert GENERATED.fullmatch(answer.headers["X-Request-ID"])


async def test_error_answers_carry_the_request_id_too(
    client: AsyncTestClient, token: TokenFactory
) -> None:
    headers = {"X-Request-ID": "trace-me", **bearer(token())}
    anonymous = await client.get("/api/v1/jobs", headers={"X-Request-ID": "trace-me"})
    no_route = await client.get("/no/such/path", headers=headers)
    no_job = await client.get("/api/v1/jobs/9d7c3a4e-0000-4000-8000-000000000000", headers=headers)
    bad_format = await client.post(
        "/api/v1/reports/report-123/generate", json={"format": "pdf"}, headers=headers
    )

    answers = [anonymous, no_route, no_job, bad_format]
    assert [answer.status_code for answer in answers] == [401, 404, 404, 422]
    assert [answer.headers.get("X-Request-ID") for answer in answers] == ["trace-me"] * 4


async def test_the_request_id_is_kept_with_the_job_it_creates(
    client: AsyncTestClient, token: TokenFactory, container: Container
) -> None:
    accepted = await client.post(
        "/api/v1/reports/report-123/generate",
        json={},
        headers={"X-Request-ID": "abc123", **bearer(token())},
    )

    assert accepted.status_code == 202
    assert accepted.headers["X-Request-ID"] == "abc123"
    [row] = await job_rows(container)
    assert (row["job_id"], row["request_id"]) == (accepted.json()["jobId"], "abc123")


async def test_the_document_lists_the_request_id_on_every_answer_of_the_app(
    client: AsyncTestClient,
) -> None:
    document = (await client.get("/schema/openapi.json")).json()

    answers = [
        answer
        for operations in document["paths"].values()
        for operation in operations.values()
        if isinstance(operation, dict) and "responses" in operation
        for status, answer in operation["responses"].items()
        if status not in {"408", "431"}  # the server's own, before the app sees the request
    ]
    assert answers
    assert all("X-Request-ID" in answer.get("headers", {}) for answer in answers)
