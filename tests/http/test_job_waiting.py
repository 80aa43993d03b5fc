"""Waiting instead of polling, through the real app: ``?wait=N``, ``Prefer: wait=N`` and the
job's event stream, woken by the announcement of the job's end."""

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from adapters.announcements.local import LocalJobChanges, change_addresses
from adapters.sqlalchemy.demo_data import load_demo_sales
from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from domain.job_status import JobStatus
from entrypoints.container import Container
from entrypoints.http.job_events import event_id
from tests.fakes import FakeScheduler
from tests.http.conftest import TokenFactory, bearer
from tests.http.jobflow import GENERATE, generate


@pytest.fixture
async def sales(container: Container) -> None:
    """The demo data set, small: the jobs that run here succeed."""
    await load_demo_sales(container.settings().data_sources["demo"], rows=3_000)


def events_of(text: str) -> list[dict[str, str]]:
    """The events of an event stream: each a dict of its fields (comments dropped)."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if line and ":" in line[1:]
        )
        if "data" in fields:
            events.append(fields)
    return events


@contextmanager
def cancelled_later(container: Container, job_id: str, after: float) -> Iterator[None]:
    """Cancel the job ``after`` seconds into the block, as another process would: on a
    thread with a loop, an engine and an announcer of its own (the test client holds
    the test's loop while it waits for an answer)."""
    thread = threading.Thread(target=asyncio.run, args=(cancel(container, job_id, after),))
    thread.start()
    try:
        yield
    finally:
        thread.join(30)


async def cancel(container: Container, job_id: str, after: float) -> None:
    await asyncio.sleep(after)
    url = container.settings().database_url
    engine, announcer = create_engine(url), LocalJobChanges(change_addresses(url))
    try:
        async with SqlAlchemyUnitOfWork(engine, announcer=announcer) as uow:
            job = await uow.jobs.get(job_id)
            assert job is not None
            job.cancel(datetime.now(UTC))
            assert await uow.jobs.save(job, if_status=JobStatus.QUEUED)
            await uow.commit()
    finally:
        await announcer.stop()
        await engine.dispose()


async def test_a_waiting_status_request_answers_as_soon_as_the_job_is_cancelled(
    client: AsyncTestClient, token: TokenFactory, held: FakeScheduler, container: Container
) -> None:
    alice = token()
    job_id = await generate(client, alice)
    started = time.monotonic()
    with cancelled_later(container, job_id, 0.5):
        response = await client.get(f"/api/v1/jobs/{job_id}?wait=20", headers=bearer(alice))
    assert response.status_code == 200
    assert response.json()["status"] == "Cancelled"
    assert "retry-after" not in response.headers
    assert time.monotonic() - started < 10  # woken by the cancellation, not by the 20 s


async def test_a_wait_that_runs_out_answers_the_job_as_it_is(
    client: AsyncTestClient, token: TokenFactory, held: FakeScheduler
) -> None:
    alice = token()
    job_id = await generate(client, alice)
    started = time.monotonic()
    response = await client.get(f"/api/v1/jobs/{job_id}?wait=1", headers=bearer(alice))
    assert response.status_code == 200
    assert response.json()["status"] == "Queued"
    assert response.headers["retry-after"] == "2"
    assert time.monotonic() - started >= 1


@pytest.mark.parametrize("wait", ["31", "-1", "soon"])
async def test_a_wait_out_of_bounds_is_refused_naming_it(
    client: AsyncTestClient, token: TokenFactory, held: FakeScheduler, wait: str
) -> None:
    alice = token()
    job_id = await generate(client, alice)
    response = await client.get(f"/api/v1/jobs/{job_id}?wait={wait}", headers=bearer(alice))
    assert response.status_code == 400
    assert response.json()["error"].startswith("The query parameter 'wait' is not valid")


async def test_another_callers_job_is_not_found_without_waiting(
    client: AsyncTestClient, token: TokenFactory, held: FakeScheduler
) -> None:
    job_id = await generate(client, token())
    started = time.monotonic()
    response = await client.get(f"/api/v1/jobs/{job_id}?wait=20", headers=bearer(token(sub="bob")))
    assert response.status_code == 404
    assert time.monotonic() - started < 5


async def test_generate_that_prefers_to_wait_answers_200_with_the_ended_job(
    client: AsyncTestClient, token: TokenFactory, sales: None
) -> None:
    response = await client.post(
        GENERATE.format("report-123"),
        headers={**bearer(token()), "Prefer": "respond-async, wait=20"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "Succeeded"
    assert body["resultUrl"]
    assert response.headers["location"] == response.headers["content-location"]
    assert response.headers["location"].endswith(f"/api/v1/jobs/{body['jobId']}")
    assert response.headers["preference-applied"] == "wait=20"


async def test_generate_whose_job_outlasts_the_wait_answers_the_usual_202(
    client: AsyncTestClient, token: TokenFactory, held: FakeScheduler
) -> None:
    started = time.monotonic()
    response = await client.post(
        GENERATE.format("report-123"),
        headers={**bearer(token()), "Prefer": 'respond-async, wait="1"; ignored=yes'},
    )
    assert response.status_code == 202
    assert set(response.json()) == {"jobId", "statusUrl"}
    assert response.headers["preference-applied"] == "respond-async, wait=1"
    assert time.monotonic() - started >= 1


async def test_a_wait_preference_beyond_30_seconds_is_cut_to_30(
    client: AsyncTestClient, token: TokenFactory, sales: None
) -> None:
    response = await client.post(
        GENERATE.format("report-123"), headers={**bearer(token()), "Prefer": "wait=3600"}
    )
    assert response.status_code == 200
    assert response.headers["preference-applied"] == "wait=30"


async def follow(client: AsyncTestClient, token: str, job_id: str, **headers: str) -> Any:
    return await client.get(
        f"/api/v1/jobs/{job_id}/events", headers={**bearer(token), **headers}, timeout=30
    )


async def test_the_event_stream_tells_each_change_and_ends_with_the_jobs_end(
    client: AsyncTestClient, token: TokenFactory, sales: None
) -> None:
    alice = token()
    job_id = await generate(client, alice, format="xlsx")
    response = await asyncio.wait_for(follow(client, alice, job_id), 30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-store"
    events = events_of(response.text)
    documents = [json.loads(event["data"]) for event in events]
    assert {event["event"] for event in events} == {"status"}
    assert documents[-1]["status"] == "Succeeded"
    assert all(d["status"] != "Succeeded" for d in documents[:-1])
    ids = [event["id"] for event in events]
    assert len(set(ids)) == len(ids)  # never the same state twice
    last = documents[-1]
    assert ids[-1] == f"Succeeded.1.{last['result']['rowCount']}"
    assert "retry: 2000" in response.text


async def test_a_client_that_saw_the_end_is_told_204_when_it_reconnects(
    client: AsyncTestClient, token: TokenFactory, container: Container, sales: None
) -> None:
    alice = token()
    job_id = await generate(client, alice)
    first = await asyncio.wait_for(follow(client, alice, job_id), 30)
    last_id = events_of(first.text)[-1]["id"]
    again = await follow(client, alice, job_id, **{"Last-Event-ID": last_id})
    assert again.status_code == 204
    assert again.text == ""
    other = await follow(client, alice, job_id, **{"Last-Event-ID": "Running.1.0"})
    assert [e["id"] for e in events_of(other.text)] == [last_id]


async def test_the_event_stream_of_a_cancelled_job_ends_with_its_cancellation(
    client: AsyncTestClient, token: TokenFactory, held: FakeScheduler, container: Container
) -> None:
    alice = token()
    job_id = await generate(client, alice)
    with cancelled_later(container, job_id, 0.5):
        response = await follow(client, alice, job_id)
    statuses = [json.loads(e["data"])["status"] for e in events_of(response.text)]
    assert statuses == ["Queued", "Cancelled"]


async def test_the_event_stream_of_another_callers_job_is_not_found(
    client: AsyncTestClient, token: TokenFactory, held: FakeScheduler
) -> None:
    job_id = await generate(client, token())
    response = await follow(client, token(sub="bob"), job_id)
    assert response.status_code == 404
    assert response.json() == {"error": "Job not found."} or "error" in response.json()


def test_event_ids_name_the_status_the_attempt_and_the_rows() -> None:
    from tests.builders import queued_job

    assert event_id(queued_job()) == "Queued.0.0"
