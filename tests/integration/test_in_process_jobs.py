"""Jobs without Redis: the in-process runner that ``reportgen serve`` starts and stops."""

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from adapters.inprocess.scheduler import InProcessJobScheduler
from application.errors import SchedulerUnavailable
from application.ports import JobMessage
from domain.jobs import Job
from entrypoints.container import Container
from entrypoints.demo import DEMO_REPORTS
from entrypoints.http.app import create_app
from entrypoints.jobs import in_process_handler
from entrypoints.lifecycle import start_services, stop_services
from tests.integration.seeded import generate, seeded_container


@pytest.fixture
async def container(tmp_path: Path) -> AsyncIterator[Container]:
    async with seeded_container(tmp_path) as container:
        yield container


@pytest.fixture
def job_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="entrypoints.jobs")
    return caplog


async def test_the_in_process_handler_waits_for_a_row_that_is_committed_late(
    container: Container, job_log: pytest.LogCaptureFixture
) -> None:
    report = DEMO_REPORTS[0]
    job = Job.queue(
        report_id=report.id,
        requested_by="alice",
        request=report.prepare_request({}, None),
        now=container.clock().now(),
    )

    async def commit_the_row_later() -> None:
        await asyncio.sleep(0.3)
        async with container.unit_of_work() as uow:
            await uow.jobs.add(job)
            await uow.commit()

    handle = in_process_handler(container.run_report_job)
    writer = asyncio.create_task(commit_the_row_later())
    started = time.monotonic()
    try:
        async with asyncio.timeout(5):
            await handle(JobMessage(job_id=job.id, requested_at=job.created_at))
            await writer
    finally:
        writer.cancel()

    assert time.monotonic() - started >= 0.3
    assert f"Job {job.id} is ready to run." in job_log.messages


async def test_start_services_runs_the_in_process_jobs_until_stop_services(
    container: Container, job_log: pytest.LogCaptureFixture
) -> None:
    scheduler = container.scheduler()
    assert isinstance(scheduler, InProcessJobScheduler)

    await start_services(container)
    try:
        await scheduler.ping()
        accepted = await generate(container)
        async with asyncio.timeout(5):
            await scheduler.join()
    finally:
        await stop_services(container)

    assert f"Job {accepted.job_id} is ready to run." in job_log.messages
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
