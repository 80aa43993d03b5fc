"""Idempotency-Key and the per-caller limits on generate, through the real app and database."""

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.container import Container
from tests.http.conftest import TokenFactory, bearer, job_rows

URL = "/api/v1/reports/report-123/generate"
BODY = {"parameters": {"region": "North", "start_date": "2024-01-01"}, "format": "json"}

# The jobs are only created here, never run: they stay Queued.
pytestmark = pytest.mark.usefixtures("held")


def keyed(token: str, key: str | bytes) -> dict[str, str | bytes]:
    return {**bearer(token), "Idempotency-Key": key}


async def test_a_retry_with_the_same_key_answers_the_same_job(
    client: AsyncTestClient, container: Container, token: TokenFactory
) -> None:
    alice = token(sub="alice")
    first = await client.post(URL, json=BODY, headers=keyed(alice, "order-42"))
    # The same request spelled otherwise: other key order, other spacing.
    retry = await client.post(
        URL,
        content=b'{ "format" : "json", "parameters" : '
        b'{"start_date":"2024-01-01","region":"North"}}',
        headers={**keyed(alice, "order-42"), "Content-Type": "application/json"},
    )

    assert first.status_code == retry.status_code == 202
    assert retry.json() == first.json()
    assert retry.headers["location"] == first.headers["location"] == first.json()["statusUrl"]
    assert [row["job_id"] for row in await job_rows(container)] == [first.json()["jobId"]]


async def test_the_same_key_with_another_body_is_refused_with_422(
    client: AsyncTestClient, container: Container, token: TokenFactory
) -> None:
    alice = token(sub="alice")
    await client.post(URL, json=BODY, headers=keyed(alice, "order-42"))

    response = await client.post(
        URL, json={**BODY, "format": "csv"}, headers=keyed(alice, "order-42")
    )

    assert response.status_code == 422
    assert "Idempotency-Key was already used for a different request" in response.json()["error"]
    assert len(await job_rows(container)) == 1


async def test_another_callers_key_is_not_yours(
    client: AsyncTestClient, container: Container, token: TokenFactory
) -> None:
    alices = await client.post(URL, json=BODY, headers=keyed(token(sub="alice"), "k"))
    bobs = await client.post(URL, json=BODY, headers=keyed(token(sub="bob"), "k"))

    assert alices.status_code == bobs.status_code == 202
    assert alices.json()["jobId"] != bobs.json()["jobId"]
    assert len(await job_rows(container)) == 2


@pytest.mark.parametrize(
    "key",
    ["", "   ", "x" * 256, "caf\u00e9".encode(), "tab\there"],
    ids=["empty", "blank", "long", "latin", "tab"],
)
async def test_a_key_that_is_not_1_to_255_printable_ascii_characters_is_refused_with_400(
    client: AsyncTestClient, container: Container, token: TokenFactory, key: str | bytes
) -> None:
    response = await client.post(URL, json=BODY, headers=keyed(token(), key))

    assert response.status_code == 400
    assert "Idempotency-Key header must be 1 to 255 printable ASCII" in response.json()["error"]
    assert await job_rows(container) == []


async def test_a_key_of_255_characters_with_spaces_inside_is_kept(
    client: AsyncTestClient, container: Container, token: TokenFactory
) -> None:
    key = "a b" + "~" * 252
    first = await client.post(URL, json=BODY, headers=keyed(token(), key))
    retry = await client.post(URL, json=BODY, headers=keyed(token(), key))

    assert first.status_code == retry.status_code == 202
    assert retry.json()["jobId"] == first.json()["jobId"]


@pytest.mark.parametrize("env", [{"REPORTGEN_GENERATE_RATE_PER_MINUTE": "2"}], indirect=True)
async def test_a_caller_over_its_rate_gets_429_with_retry_after_and_nothing_is_created(
    client: AsyncTestClient, container: Container, token: TokenFactory
) -> None:
    alice = token(sub="alice")
    answers = [await client.post(URL, json=BODY, headers=bearer(alice)) for _ in range(3)]

    assert [a.status_code for a in answers] == [202, 202, 429]
    refused = answers[2]
    assert refused.json() == {"error": "Too many reports requested: at most 2 a minute per caller."}
    assert 55 <= int(refused.headers["retry-after"]) <= 60
    assert len(await job_rows(container)) == 2
    # Another caller has a rate of its own.
    assert (await client.post(URL, json=BODY, headers=bearer(token(sub="bob")))).status_code == 202


@pytest.mark.parametrize("env", [{"REPORTGEN_MAX_UNFINISHED_JOBS_PER_CALLER": "1"}], indirect=True)
async def test_a_caller_with_too_many_unfinished_jobs_gets_429_but_its_retry_gets_its_job(
    client: AsyncTestClient, container: Container, token: TokenFactory
) -> None:
    alice = token(sub="alice")
    first = await client.post(URL, json=BODY, headers=keyed(alice, "k"))
    retry = await client.post(URL, json=BODY, headers=keyed(alice, "k"))
    refused = await client.post(URL, json=BODY, headers=keyed(alice, "another"))

    assert (first.status_code, retry.status_code) == (202, 202)
    assert retry.json() == first.json()
    assert refused.status_code == 429
    assert "at most 1 queued or running per caller" in refused.json()["error"]
    assert int(refused.headers["retry-after"]) >= 1
    assert len(await job_rows(container)) == 1
    # Cancelled, the job no longer counts.
    job_url = first.json()["statusUrl"]
    assert (await client.delete(job_url, headers=bearer(alice))).status_code in (200, 202, 204)
    assert (await client.post(URL, json=BODY, headers=keyed(alice, "another"))).status_code == 202


async def test_the_openapi_document_describes_the_key_and_its_answers(
    client: AsyncTestClient,
) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    generate = document["paths"]["/api/v1/reports/{report_id}/generate"]["post"]

    [header] = [p for p in generate["parameters"] if p["name"] == "Idempotency-Key"]
    assert (header["name"], header["required"]) == ("Idempotency-Key", False)
    assert header["schema"]["maxLength"] == 255
    for status, words in (("409", "still being processed"), ("422", "different request")):
        examples = generate["responses"][status]["content"]["application/json"]["examples"]
        assert any(words in example["value"]["error"] for example in examples.values())
    assert "429" in generate["responses"]
