"""Completion webhooks end to end: the real app runs the job, a real receiver on loopback
gets the signed status document; the allow-list refuses at generate and at delivery."""

import asyncio
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from standardwebhooks import Webhook

from adapters.sqlalchemy.demo_data import load_demo_sales
from entrypoints.container import Container
from tests.fakes import FakeScheduler
from tests.http.conftest import TokenFactory, bearer, job_rows
from tests.http.jobflow import GENERATE, generate, wait_until_finished
from tests.support.webhook_receiver import (
    WEBHOOK_SECRET,
    loopback_webhooks,
    posts_arrived,
    webhook_receiver,
)

LOOPBACK_LISTED = loopback_webhooks()
NAME_LISTED = {
    "REPORTGEN_WEBHOOK_ALLOWED_HOSTS": "localhost",
    "REPORTGEN_WEBHOOK_SECRET": WEBHOOK_SECRET,
}
ELSEWHERE = {
    "REPORTGEN_WEBHOOK_ALLOWED_HOSTS": "example.com",
    "REPORTGEN_WEBHOOK_SECRET": WEBHOOK_SECRET,
}
SMALL = {"parameters": {"region": "North"}}


@pytest.fixture(autouse=True)
async def sales(container: Container) -> None:
    """A small demo data set: the jobs succeed at once."""
    await load_demo_sales(container.settings().data_sources["demo"], rows=200)


async def settled_deliveries(
    client: AsyncTestClient, token: str, job_id: str, within: float = 20.0
) -> dict[str, Any]:
    """Poll the job's deliveries until its callback is no longer pending."""
    async with asyncio.timeout(within):
        while True:
            response = await client.get(f"/api/v1/jobs/{job_id}/deliveries", headers=bearer(token))
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            if body["callback"]["state"] != "pending":
                return body
            await asyncio.sleep(0.05)


@pytest.mark.parametrize("env", [LOOPBACK_LISTED], indirect=True)
async def test_the_receiver_gets_the_signed_job_document_once(
    client: AsyncTestClient, token: TokenFactory
) -> None:
    with webhook_receiver(204) as receiver:
        job_id = await generate(client, token(), callbackUrl=receiver.url, **SMALL)
        document = await wait_until_finished(client, token(), job_id)
        deliveries = await settled_deliveries(client, token(), job_id)
    [post] = receiver.received
    assert post.path == "/hooks/reportgen"
    assert Webhook(WEBHOOK_SECRET).verify(post.body, post.headers) == document
    assert document["status"] == "Succeeded"
    assert document["callbackUrl"] == receiver.url
    assert post.headers["content-type"] == "application/json"
    assert post.headers["user-agent"].startswith("reportgen/")
    assert post.headers["webhook-id"] == "msg_" + job_id.replace("-", "")
    assert deliveries["callback"] == {
        "url": receiver.url,
        "state": "delivered",
        "attempts": 1,
        "nextAttemptAt": None,
    }
    [delivery] = deliveries["deliveries"]
    assert delivery["webhookId"] == post.headers["webhook-id"]
    assert (delivery["attempt"], delivery["statusCode"], delivery["outcome"]) == (
        1,
        204,
        "delivered",
    )


@pytest.mark.parametrize("env", [LOOPBACK_LISTED], indirect=True)
async def test_a_receiver_failing_once_gets_the_same_message_again(
    client: AsyncTestClient, token: TokenFactory
) -> None:
    with webhook_receiver(500, 200) as receiver:
        job_id = await generate(client, token(), callbackUrl=receiver.url, **SMALL)
        deliveries = await settled_deliveries(client, token(), job_id, within=30)
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    assert [(d["attempt"], d["statusCode"], d["outcome"]) for d in deliveries["deliveries"]] == [
        (1, 500, "failed"),
        (2, 200, "delivered"),
    ]
    assert deliveries["deliveries"][0]["nextAttemptAt"] is not None
    assert deliveries["callback"]["state"] == "delivered"


@pytest.mark.parametrize("env", [ELSEWHERE], indirect=True)
async def test_a_host_off_the_allow_list_is_refused_at_generate_and_nothing_is_created(
    client: AsyncTestClient, token: TokenFactory, container: Container
) -> None:
    with webhook_receiver() as receiver:
        url = receiver.url.replace("127.0.0.1", "localhost")
        response = await client.post(
            GENERATE.format("report-123"), json={"callbackUrl": url}, headers=bearer(token())
        )
    assert response.status_code == 422
    assert "'localhost' is not on this service's allow-list" in response.json()["error"]
    assert await job_rows(container) == []
    assert receiver.received == []


async def test_without_an_allow_list_a_callback_is_refused_at_generate(
    client: AsyncTestClient, token: TokenFactory, container: Container
) -> None:
    response = await client.post(
        GENERATE.format("report-123"),
        json={"callbackUrl": "https://hooks.example.com/x"},
        headers=bearer(token()),
    )
    assert response.status_code == 422
    assert response.json()["error"].startswith("Webhooks are not enabled on this service")
    assert await job_rows(container) == []


@pytest.mark.parametrize("env", [NAME_LISTED], indirect=True)
async def test_a_listed_name_that_resolves_to_loopback_is_refused_and_recorded(
    client: AsyncTestClient, token: TokenFactory
) -> None:
    with webhook_receiver() as receiver:
        url = receiver.url.replace("127.0.0.1", "localhost")
        job_id = await generate(client, token(), callbackUrl=url, **SMALL)
        deliveries = await settled_deliveries(client, token(), job_id)
    assert receiver.received == []
    assert deliveries["callback"]["state"] == "failed"
    [delivery] = deliveries["deliveries"]
    assert delivery["outcome"] == "failed"
    assert delivery["statusCode"] is None
    assert delivery["error"] in {
        "callback address 127.0.0.1 is not allowed",
        "callback address ::1 is not allowed",
    }


@pytest.mark.parametrize("env", [LOOPBACK_LISTED], indirect=True)
async def test_a_job_without_a_callback_shows_none(
    client: AsyncTestClient, token: TokenFactory
) -> None:
    job_id = await generate(client, token(), **SMALL)
    document = await wait_until_finished(client, token(), job_id)
    assert document["callbackUrl"] is None
    response = await client.get(f"/api/v1/jobs/{job_id}/deliveries", headers=bearer(token()))
    assert response.json() == {"jobId": job_id, "callback": None, "deliveries": []}


@pytest.mark.parametrize("env", [LOOPBACK_LISTED], indirect=True)
async def test_a_cancelled_job_is_told_from_the_api_after_the_answer(
    client: AsyncTestClient, token: TokenFactory, held: FakeScheduler
) -> None:
    with webhook_receiver(200) as receiver:
        job_id = await generate(client, token(), callbackUrl=receiver.url, **SMALL)
        cancelled = await client.delete(f"/api/v1/jobs/{job_id}", headers=bearer(token()))
        async with asyncio.timeout(10):
            await posts_arrived(receiver)
        deliveries = await settled_deliveries(client, token(), job_id)
    assert cancelled.status_code == 200
    [post] = receiver.received
    document = Webhook(WEBHOOK_SECRET).verify(post.body, post.headers)
    assert (document["jobId"], document["status"]) == (job_id, "Cancelled")
    assert deliveries["callback"]["state"] == "delivered"
