"""Jobs without Redis: the database is the queue, and ``reportgen serve`` runs the runners."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from adapters.embedded.runner import EmbeddedJobRunner
from application.common.errors import SchedulerUnavailable
from domain.job_status import JobStatus
from entrypoints.container import Container
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


async def test_a_job_accepted_while_the_runners_are_down_runs_once_they_start(
    container: Container, job_log: pytest.LogCaptureFixture
) -> None:
    accepted = await generate(container)  # the committed record is the queue entry
    assert await status_of(container, accepted.job_id) is JobStatus.QUEUED

    await start_services(container)
    try:
        async with asyncio.timeout(10):
            await poll_until(lambda: finished(container, accepted.job_id))
    finally:
        await stop_services(container)

    assert await status_of(container, accepted.job_id) is JobStatus.SUCCEEDED
    assert f"Job {accepted.job_id}: succeeded" in job_log.messages


async def test_start_services_runs_the_embedded_jobs_until_stop_services(
    container: Container, job_log: pytest.LogCaptureFixture
) -> None:
    scheduler = container.scheduler()
    assert isinstance(scheduler, EmbeddedJobRunner)

    await start_services(container)
    try:
        await scheduler.ping()
        accepted = await generate(container)
        async with asyncio.timeout(5):
            await poll_until(lambda: finished(container, accepted.job_id))
        status = await status_of(container, accepted.job_id)
    finally:
        await stop_services(container)

    assert status is JobStatus.SUCCEEDED
    assert f"Job {accepted.job_id}: succeeded" in job_log.messages
    with pytest.raises(SchedulerUnavailable):
        await scheduler.ping()


async def test_the_app_is_ready_with_the_in_process_runner_and_stops_it_on_shutdown(
    container: Container,
) -> None:
    scheduler = container.scheduler()
    with pytest.raises(SchedulerUnavailable):
        await scheduler.ping()

    async with AsyncTestClient(app=create_app(container)) as client:
        response = await client.get("/health/ready")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "scheduler": "ok"}
    with pytest.raises(SchedulerUnavailable):
        await scheduler.ping()
