"""PeriodicTask: the embedded sweep runs at once, then every interval, until stopped."""

import asyncio
from datetime import timedelta

import pytest

from adapters.embedded.periodic import PeriodicTask


async def test_the_task_runs_at_once_then_periodically_until_it_stops() -> None:
    runs: list[float] = []
    three = asyncio.Event()

    async def action() -> None:
        runs.append(asyncio.get_running_loop().time())
        if len(runs) == 3:
            three.set()

    task = PeriodicTask(action, timedelta(seconds=0.05))
    await task.start()
    await task.start()  # already running: still one loop
    async with asyncio.timeout(2):
        await three.wait()
    await task.stop()
    stopped_at = len(runs)
    await asyncio.sleep(0.15)

    assert runs[2] - runs[0] >= 2 * 0.05
    assert len(runs) == stopped_at


async def test_a_failing_run_is_logged_and_the_next_one_comes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runs = 0
    second = asyncio.Event()

    async def action() -> None:
        nonlocal runs
        runs += 1
        if runs == 1:
            raise RuntimeError("boom")
        second.set()

    task = PeriodicTask(action, timedelta(seconds=0.01))
    await task.start()
    try:
        async with asyncio.timeout(2):
            await second.wait()
    finally:
        await task.stop()

    assert any("runs again later" in record.getMessage() for record in caplog.records)
