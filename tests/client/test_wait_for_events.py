"""``wait`` follows a job's server-sent events, resumes a broken stream, and polls without one."""

import pytest

from entrypoints.client import (
    AsyncReportgenClient,
    Job,
    ReportgenError,
)
from tests.client.fake_server import (
    BASE_URL,
    JOB_ID,
    KEEP_ALIVE,
    FakeServer,
    Stream,
    event,
    job,
    wait,
)


def test_the_events_are_followed_until_the_job_has_ended() -> None:
    stream = [event("1", job("Running", 10)), KEEP_ALIVE, event("2", job("Succeeded", 20))]
    server = FakeServer([job("Queued")], [Stream(chunks=stream)])

    ended, seen = wait(server)

    assert ended.status == "Succeeded"
    assert [(j.status, j.progress.rows_written) for j in seen] == [
        ("Queued", 0),
        ("Running", 10),
        ("Succeeded", 20),
    ]
    assert server.last_event_ids() == [None]
    assert server.polls() == []


def test_a_broken_stream_is_resumed_from_the_last_event_id() -> None:
    first = Stream(
        chunks=[event("a1", job("Running", 5)), event("a2", job("Running", 9))], broken=True
    )
    ended_early = Stream(chunks=[KEEP_ALIVE])  # closed without a word
    last = Stream(chunks=[event("a3", job("Cancelled", 9))])
    server = FakeServer([job("Queued")], [first, ended_early, last])

    ended, seen = wait(server)

    assert ended.status == "Cancelled"
    assert server.last_event_ids() == [None, "a2", "a2"]
    assert [j.progress.rows_written for j in seen] == [0, 5, 9, 9]


def test_204_means_the_job_had_ended_and_its_status_is_read_once() -> None:
    server = FakeServer([job("Running", 3), job("Failed", 3)], [Stream(status=204)])

    ended, _ = wait(server)

    assert ended.status == "Failed"
    assert server.polls() == []
    assert [r.url.path.endswith("/events") for r in server.requests] == [False, True, False]


def test_without_an_event_stream_the_status_is_polled_with_wait() -> None:
    server = FakeServer([job("Queued"), job("Running", 7), job("Succeeded", 9)], streams=[])

    ended, seen = wait(server)

    assert ended.status == "Succeeded"
    assert server.polls() == ["10", "10"]
    assert [j.status for j in seen] == ["Queued", "Running", "Succeeded"]


def test_a_stream_that_keeps_failing_gives_way_to_polls() -> None:
    server = FakeServer(
        [job("Running"), job("Running"), job("Succeeded")],
        [Stream(status=503), Stream(status=502), Stream(status=503), Stream(status=503)],
    )

    ended, _ = wait(server)

    assert ended.status == "Succeeded"
    assert len(server.last_event_ids()) == 3
    assert server.polls() == ["10", "10"]


def test_a_refused_stream_raises_the_refusal() -> None:
    server = FakeServer([job("Running")], [Stream(status=403)])

    with pytest.raises(ReportgenError) as caught:
        wait(server)

    assert caught.value.status == 403


async def test_the_async_client_resumes_a_broken_stream_and_ends_with_the_job() -> None:
    first = Stream(chunks=[event("b1", job("Running", 5))], broken=True)
    last = Stream(chunks=[KEEP_ALIVE, event("b2", job("Succeeded", 8))])
    server = FakeServer([job("Queued")], [first, last])
    seen: list[Job] = []

    async with AsyncReportgenClient(BASE_URL, "t", transport=server.transport()) as client:
        ended = await client.wait(JOB_ID, timeout=10, on_progress=seen.append)

    assert ended.status == "Succeeded"
    assert server.last_event_ids() == [None, "b1"]
    assert [j.progress.rows_written for j in seen] == [0, 5, 8]


async def test_the_async_client_polls_where_there_are_no_events_and_reads_a_204() -> None:
    polled = FakeServer([job("Queued"), job("Succeeded")], streams=[])
    told = FakeServer([job("Running"), job("Cancelled")], [Stream(status=204)])

    async with AsyncReportgenClient(BASE_URL, "t", transport=polled.transport()) as client:
        by_polls = await client.wait(JOB_ID, timeout=60)
    async with AsyncReportgenClient(BASE_URL, "t", transport=told.transport()) as client:
        by_204 = await client.wait(JOB_ID, timeout=60)

    assert (by_polls.status, polled.polls()) == ("Succeeded", ["10"])
    assert (by_204.status, told.polls()) == ("Cancelled", [])
