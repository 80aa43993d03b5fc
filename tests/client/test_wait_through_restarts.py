"""``wait`` rides through a server that refuses connections for a while (a restart), and
gives up with ``ServerUnreachable`` once it has been out of reach too long."""

import pytest

from entrypoints.client import AsyncReportgenClient, ServerUnreachable
from entrypoints.client.watch import (
    STREAM_ATTEMPTS,
    UNREACHABLE_SECONDS,
    WORKING_STREAM_SECONDS,
    Watch,
)
from tests.client.fake_server import BASE_URL, JOB_ID, FakeServer, Stream, event, job, wait

REFUSED = ServerUnreachable("Cannot reach http://service: [Errno 111] Connection refused")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_stream_refused_while_the_server_restarts_is_resumed_without_polling() -> None:
    server = FakeServer(
        [job("Running", 1)],
        [
            Stream(chunks=[event("a", job("Running", 5))]),  # ends early: the server stops
            Stream(refused=True),
            Stream(refused=True),
            Stream(refused=True),
            Stream(chunks=[event("b", job("Succeeded", 9))]),
        ],
    )

    ended, _ = wait(server)

    assert ended.status == "Succeeded"
    assert server.last_event_ids() == [None, "a", "a", "a", "a"]
    assert server.polls() == []  # refused connections are not a broken stream


def test_polls_refused_while_the_server_restarts_are_asked_again() -> None:
    server = FakeServer([job("Running"), job("Succeeded")], streams=[], refused_polls=3)

    ended, _ = wait(server)

    assert ended.status == "Succeeded"
    assert server.polls() == ["10"] * 4


async def test_the_async_client_rides_through_a_restart_too() -> None:
    server = FakeServer(
        [job("Running"), job("Succeeded")],
        [Stream(refused=True), Stream(refused=True), Stream(chunks=[event("c", job("Succeeded"))])],
        refused_polls=1,
    )

    async with AsyncReportgenClient(BASE_URL, "t", transport=server.transport()) as client:
        ended = await client.wait(JOB_ID, timeout=60)

    assert ended.status == "Succeeded"
    assert len(server.last_event_ids()) == 3


def test_the_pauses_grow_and_the_server_is_given_up_after_it_was_out_of_reach_too_long() -> None:
    clock = Clock()
    watch = Watch(JOB_ID, None, None, clock=clock)
    pauses: list[float] = []

    def try_again() -> None:
        while True:
            pauses.append(watch.unreachable(REFUSED))
            clock.now += pauses[-1]

    with pytest.raises(ServerUnreachable) as given_up:
        try_again()
    assert given_up.value is REFUSED
    assert pauses[:6] == [0.25, 0.5, 1.0, 2.0, 4.0, 4.0]
    assert clock.now >= UNREACHABLE_SECONDS
    assert clock.now < UNREACHABLE_SECONDS + 4.0


def test_a_server_reached_again_starts_the_count_afresh() -> None:
    clock = Clock()
    watch = Watch(JOB_ID, None, None, clock=clock)
    watch.unreachable(REFUSED)
    clock.now += UNREACHABLE_SECONDS - 1
    watch.unreachable(REFUSED)
    watch.reached()
    clock.now += 5
    assert watch.unreachable(REFUSED) == 0.25  # not given up: out of reach for 0 s
    clock.now += UNREACHABLE_SECONDS - 1
    assert watch.unreachable(REFUSED) == 0.5


def test_a_pause_never_runs_past_the_deadline() -> None:
    clock = Clock()
    watch = Watch(JOB_ID, 1.5, None, clock=clock)
    for _ in range(4):
        watch.unreachable(REFUSED)
    clock.now = 1.0
    assert watch.unreachable(REFUSED) == 0.5


def test_streams_that_worked_a_while_before_ending_never_switch_to_polling() -> None:
    watch = Watch(JOB_ID, None, None, clock=Clock())
    for _ in range(10):  # a server restarted ten times while the job stayed quiet
        watch.stream_failed(lasted=WORKING_STREAM_SECONDS)
    assert watch.use_events


def test_short_lived_streams_in_a_row_switch_to_polling() -> None:
    watch = Watch(JOB_ID, None, None, clock=Clock())
    watch.stream_failed(lasted=WORKING_STREAM_SECONDS)
    for _ in range(STREAM_ATTEMPTS - 1):
        watch.stream_failed(lasted=0.1)
        assert watch.use_events
    watch.stream_failed(lasted=0.1)
    assert not watch.use_events
