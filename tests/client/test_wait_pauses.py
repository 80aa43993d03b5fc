"""``wait``'s pauses: a timeout on a quiet stream, the server's ``retry``, a busy server."""

import time

import pytest

from entrypoints.client import AsyncReportgenClient, TimedOut
from tests.client.fake_server import BASE_URL, JOB_ID, FakeServer, Stream, event, job, wait


def test_a_stream_of_keep_alives_only_ends_at_the_timeout() -> None:
    server = FakeServer(
        [job("Running", 1)], [Stream(chunks=[event("q1", job("Running", 2))], quiet=True)]
    )
    started = time.monotonic()

    with pytest.raises(TimedOut):
        wait(server, timeout=0.5)

    assert time.monotonic() - started < 2


async def test_the_async_client_ends_a_quiet_stream_at_the_timeout() -> None:
    server = FakeServer([job("Running", 1)], [Stream(quiet=True)])
    started = time.monotonic()

    async with AsyncReportgenClient(BASE_URL, "t", transport=server.transport()) as client:
        with pytest.raises(TimedOut):
            await client.wait(JOB_ID, timeout=0.5)

    assert time.monotonic() - started < 2


def test_a_reconnection_waits_the_time_the_server_asked_for() -> None:
    told = b"retry: 400\n" + event("r1", job("Running", 1))
    server = FakeServer(
        [job("Queued")],
        [Stream(chunks=[told], broken=True), Stream(chunks=[event("r2", job("Succeeded", 2))])],
    )
    started = time.monotonic()

    ended, _ = wait(server)

    assert ended.status == "Succeeded"
    assert time.monotonic() - started >= 0.4
    assert server.last_event_ids() == [None, "r1"]


def test_a_busy_server_is_asked_again_after_its_retry_after() -> None:
    busy = Stream(status=429, retry_after="0.3")
    server = FakeServer([job("Running")], [busy, Stream(chunks=[event("z", job("Succeeded"))])])
    started = time.monotonic()

    ended, _ = wait(server)

    assert ended.status == "Succeeded"
    assert time.monotonic() - started >= 0.3
    assert len(server.last_event_ids()) == 2


def test_busy_polls_are_asked_again_after_their_retry_after() -> None:
    server = FakeServer([job("Running"), job("Succeeded")], streams=[], busy_polls=2)
    started = time.monotonic()

    ended, _ = wait(server)

    assert ended.status == "Succeeded"
    assert time.monotonic() - started >= 0.6
    assert server.polls() == ["10", "10", "10"]


async def test_the_async_client_waits_out_a_busy_server_too() -> None:
    busy = Stream(status=503, retry_after="0.2")
    server = FakeServer([job("Running"), job("Succeeded")], [busy], busy_polls=1)

    async with AsyncReportgenClient(BASE_URL, "t", transport=server.transport()) as client:
        ended = await client.wait(JOB_ID, timeout=60)

    assert ended.status == "Succeeded"
    assert server.polls() == ["10", "10"]
