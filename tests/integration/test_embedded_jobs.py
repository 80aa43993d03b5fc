"""Jobs without Redis: the database is the queue; embedded workers run the jobs, the API
processes never do."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from adapters.embedded.wakeup import WakeUpListener
from domain.job_status import JobStatus
from entrypoints.container import Container
from entrypoints.embedded_worker import EmbeddedWorker
from entrypoints.http.app import create_app
from entrypoints.lifecycle import start_services, stop_services
from tests.integration.seeded import generate, seeded_container

FINISHED = {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED}


@pytest.fixture
async def container(tmp_path: Path) -> AsyncIterator[Container]:
    async with seeded_container(tmp_path) as container:
        yield container


@pytest.fixture
def job_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="application.jobs.run_report_job")
    return caplog


async def status_of(container: Container, job_id: str) -> JobStatus | None:
    async with container.unit_of_work() as uow:
        job = await uow.jobs.get(job_id)
    return None if job is None else job.status


async def finished(container: Container, job_id: str) -> bool:
    return await status_of(container, job_id) in FINISHED


async def poll_until(condition: Callable[[], Awaitable[bool]]) -> None:
    while True:
        if await condition():
            return
        await asyncio.sleep(0.02)


async def test_a_job_accepted_while_no_worker_runs_runs_once_one_starts(
    container: Container, job_log: pytest.LogCaptureFixture
) -> None:
    accepted = await generate(container)  # the committed record is the queue entry
    assert await status_of(container, accepted.job_id) is JobStatus.QUEUED

    worker = EmbeddedWorker(container, 0)
    await worker.start()
    try:
        async with asyncio.timeout(10):
            await poll_until(lambda: finished(container, accepted.job_id))
    finally:
        await worker.stop()

    assert await status_of(container, accepted.job_id) is JobStatus.SUCCEEDED
    assert f"Job {accepted.job_id}: succeeded" in job_log.messages


async def test_the_api_services_run_no_job(container: Container) -> None:
    await start_services(container)  # what the app starts in each API process
    try:
        accepted = await generate(container)
        await asyncio.sleep(0.5)  # ten poll intervals: a runner would have taken it
        status = await status_of(container, accepted.job_id)
    finally:
        await stop_services(container)

    assert status is JobStatus.QUEUED


async def test_the_app_is_ready_only_while_an_embedded_worker_listens(
    container: Container,
) -> None:
    address = container.embedded_wake_addresses()[0]
    listener = WakeUpListener(address, lambda: None)  # stands for a worker process

    async with AsyncTestClient(app=create_app(container)) as client:
        alone = await client.get("/health/ready")
        await listener.start()
        try:
            served = await client.get("/health/ready")
        finally:
            await listener.stop()

    assert alone.status_code == 503
    assert alone.json()["checks"]["scheduler"] == "No embedded job worker is running."
    assert served.status_code == 200
    assert served.json()["checks"] == {"database": "ok", "scheduler": "ok"}


async def test_a_worker_stopped_runs_no_more_jobs(container: Container) -> None:
    worker = EmbeddedWorker(container, 0)
    await worker.start()
    await worker.stop()

    accepted = await generate(container)
    await asyncio.sleep(0.5)

    assert await status_of(container, accepted.job_id) is JobStatus.QUEUED
    assert not container.embedded_runner().running
