"""The embedded mode's scheduler, as the API sees it, and the wake-ups it sends the workers
(real sockets of Linux's abstract namespace; no process is started)."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from adapters.embedded.scheduler import EmbeddedJobScheduler
from adapters.embedded.wakeup import WakeUpListener, WakeUpSender, wake_addresses
from application.common.errors import JobAlreadyQueued, SchedulerUnavailable
from application.jobs.ports import JobMessage

MESSAGE = JobMessage("job-1", datetime.now(UTC))


@pytest.fixture
def addresses() -> list[str]:
    """Two workers' addresses, for a database of this test's own."""
    return wake_addresses(f"sqlite+aiosqlite:///{uuid.uuid4()}.sqlite3", 2)


@pytest.fixture
async def listeners() -> AsyncIterator[list[WakeUpListener]]:
    """The listeners a test starts; stopped after it."""
    started: list[WakeUpListener] = []
    yield started
    for listener in started:
        await listener.stop()


async def listen(
    started: list[WakeUpListener], address: str, woken: asyncio.Event, **options: object
) -> WakeUpListener:
    listener = WakeUpListener(address, woken.set, **options)  # type: ignore[arg-type]
    started.append(listener)
    await listener.start()
    return listener


def test_each_worker_of_a_database_has_its_own_address_the_same_in_every_process() -> None:
    first = wake_addresses("sqlite+aiosqlite:///a.sqlite3", 2)

    assert first == wake_addresses("sqlite+aiosqlite:///a.sqlite3", 2)
    assert len(set(first)) == 2
    assert set(first).isdisjoint(wake_addresses("sqlite+aiosqlite:///b.sqlite3", 2))
    assert all(address.startswith("\0") for address in first)  # abstract: no file


async def test_a_job_with_a_record_is_queued_already() -> None:
    scheduler = EmbeddedJobScheduler(WakeUpSender(["\0nobody"]))

    with pytest.raises(JobAlreadyQueued):
        await scheduler.enqueue(MESSAGE)
    await scheduler.enqueue_new([MESSAGE])  # accepted even with no worker: it is on disk
    await scheduler.stop()


async def test_the_scheduler_is_not_ready_while_no_worker_listens(addresses: list[str]) -> None:
    scheduler = EmbeddedJobScheduler(WakeUpSender(addresses))

    with pytest.raises(SchedulerUnavailable, match="No embedded job worker is running"):
        await scheduler.ping()
    await scheduler.stop()


async def test_new_jobs_wake_every_listening_worker_and_a_readiness_check_does_not(
    addresses: list[str], listeners: list[WakeUpListener]
) -> None:
    woken = [asyncio.Event(), asyncio.Event()]
    for address, event in zip(addresses, woken, strict=True):
        await listen(listeners, address, event)
    scheduler = EmbeddedJobScheduler(WakeUpSender(addresses))

    await scheduler.ping()
    await asyncio.sleep(0.05)
    assert not any(event.is_set() for event in woken)
    await scheduler.enqueue_new([MESSAGE])
    async with asyncio.timeout(2):
        await asyncio.gather(*(event.wait() for event in woken))
    await scheduler.stop()


async def test_one_worker_listening_of_two_is_enough_to_be_ready(
    addresses: list[str], listeners: list[WakeUpListener]
) -> None:
    await listen(listeners, addresses[1], asyncio.Event())

    await EmbeddedJobScheduler(WakeUpSender(addresses)).ping()

    assert WakeUpSender(addresses).send(b"p") == 1


async def test_a_worker_whose_address_is_taken_listens_once_it_is_free(
    addresses: list[str], listeners: list[WakeUpListener], caplog: pytest.LogCaptureFixture
) -> None:
    holder = await listen(listeners, addresses[0], asyncio.Event())
    woken = asyncio.Event()
    waiting = await listen(listeners, addresses[0], woken, retry_interval=timedelta(seconds=0.02))
    assert not waiting.listening
    assert "holds this worker's wake-up address" in caplog.text

    await holder.stop()
    async with asyncio.timeout(2):
        while not waiting.listening:  # noqa: ASYNC110 - it has no event to wait on
            await asyncio.sleep(0.01)
    WakeUpSender(addresses).send(b"w")
    async with asyncio.timeout(2):
        await woken.wait()


async def test_a_stopped_listener_no_longer_counts_as_a_worker(
    addresses: list[str], listeners: list[WakeUpListener]
) -> None:
    listener = await listen(listeners, addresses[0], asyncio.Event())
    sender = WakeUpSender(addresses)
    assert sender.send(b"p") == 1

    await listener.stop()

    assert sender.send(b"p") == 0
    sender.close()
