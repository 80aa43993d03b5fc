"""Jobs without Redis: the in-process runner that ``reportgen serve`` starts and stops."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from adapters.inprocess.scheduler import InProcessJobScheduler
from application.common.errors import SchedulerUnavailable
from application.jobs.ports import JobMessage
from domain.job_status import JobStatus
from domain.jobs import Job
from entrypoints.composition import job_handler
from entrypoints.container import Container
from entrypoints.demo import DEMO_REPORTS
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


async def poll_until(condition: Callable[[], Awaitable[bool]]) -> None:
    while True:
        if await condition():
            return
        await asyncio.sleep(0.02)


async def test_a_job_whose_row_is_committed_late_is_run_once_the_row_is_there(
    container: Container, job_log: pytest.LogCaptureFixture
) -> None:
    report = DEMO_REPORTS[0]
    job = Job.queue(
        report_id=report.id,
        requested_by="alice",
        request=report.prepare_request({}, None),
        now=container.clock().now(),
    )
    message = JobMessage(job_id=job.id, requested_at=job.created_at)

    async def retried_once_more() -> bool:
        return job_log.messages.count(f"Job {job.id}: retry_later") >= 2

    async def finished() -> bool:
        return await status_of(container, job.id) in FINISHED

    run = await job_handler(container.run_report_job)(message)
    assert run.retry_in == container.settings().jobs.missing_row_retry

    await start_services(container)
    try:
        await container.scheduler().enqueue(message)
        async with asyncio.timeout(10):
            # The runner, too, finds no row yet, and queues the job again for later.
            await poll_until(retried_once_more)
            async with container.unit_of_work() as uow:
                await uow.jobs.add(job)
                await uow.commit()
            await poll_until(finished)
        status = await status_of(container, job.id)
    finally:
        await stop_services(container)

    assert status is JobStatus.SUCCEEDED
    assert f"Job {job.id}: succeeded" in job_log.messages


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
        finished = await status_of(container, accepted.job_id)
    finally:
        await stop_services(container)

    assert finished is JobStatus.SUCCEEDED
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
