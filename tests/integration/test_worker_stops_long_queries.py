"""A real ``reportgen worker`` (real Redis) running a report whose PostgreSQL query never
ends: its lease is renewed while the query computes, a cancellation stops the query on the
server within seconds and the next job runs."""

import asyncio
import time
from pathlib import Path

import asyncpg
import pytest

from application.jobs.cancel_job import CancelJobCommand
from application.jobs.generate_report import GenerateReportCommand
from domain.job_status import JobStatus
from domain.jobs import Job
from domain.principal import GENERATE_SCOPE, Principal
from domain.reports import (
    DeliveryChannel,
    DeliveryMode,
    DeliveryTarget,
    OutputFormat,
    ReportConfiguration,
)
from entrypoints.container import Container, build_container
from entrypoints.lifecycle import stop_services
from entrypoints.settings import Settings
from tests.integration.console import clean_env, reportgen, running_worker

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

SLEEP = "SELECT pg_sleep(600) AS slept"
TARGETS = (DeliveryTarget(DeliveryChannel.API_RESPONSE, DeliveryMode.ASYNC),)
ENDLESS = ReportConfiguration("endless", "Endless", "sales", SLEEP, (OutputFormat.CSV,), TARGETS)
QUICK = ReportConfiguration(
    "quick", "Quick", "sales", "SELECT x FROM generate_series(1, 10) AS x", (OutputFormat.CSV,),
    TARGETS,
)  # fmt: skip
#: A short lease and a sweep every second: a run whose lease were not renewed would be
#: taken up again within seconds.
QUICK_SWEEP = {
    "REPORTGEN_JOB_LEASE_SECONDS": "2",
    "REPORTGEN_JOB_HEARTBEAT_SECONDS": "0.5",
    "REPORTGEN_SWEEP_INTERVAL_SECONDS": "1",
}
ANALYST = Principal("analyst", scopes=frozenset({GENERATE_SCOPE}))


async def job_of(container: Container, job_id: str) -> Job:
    async with container.unit_of_work() as uow:
        job = await uow.jobs.get(job_id)
    assert job is not None
    return job


async def wait_for(container: Container, job_id: str, status: JobStatus, seconds: float) -> Job:
    """The job once it has ``status``, or as it is when ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while (job := await job_of(container, job_id)).status is not status:
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    return job


async def sleeping_queries(server: asyncpg.Connection, seconds: float, *, want: int) -> int:
    """How many sessions run ``SLEEP``, once it is ``want`` or ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while True:
        found = await server.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE query = $1 AND state = 'active'", SLEEP
        )
        if found == want or time.monotonic() > deadline:
            return int(found)
        await asyncio.sleep(0.1)


async def generate(container: Container, report: ReportConfiguration) -> str:
    command = GenerateReportCommand(ANALYST, report_id=report.id)
    return (await container.generate_report().execute(command)).job_id


async def setup(
    tmp_path: Path, redis_url: str, postgres_url: str
) -> tuple[dict[str, str], Container]:
    env = clean_env(
        tmp_path, REPORTGEN_REDIS_URL=redis_url, REPORTGEN_DATA_SOURCE_SALES_URL=postgres_url,
        **QUICK_SWEEP,
    )  # fmt: skip
    assert reportgen("db", "upgrade", env=env).returncode == 0
    container = build_container(Settings.from_env(env))
    async with container.unit_of_work() as uow:
        await uow.reports.add(ENDLESS)
        await uow.reports.add(QUICK)
        await uow.commit()
    return env, container


async def test_a_cancelled_never_ending_query_stops_on_the_server_and_the_next_job_runs(
    tmp_path: Path, redis_url: str, postgres_url: str
) -> None:
    env, container = await setup(tmp_path, redis_url, postgres_url)
    server = await asyncpg.connect(postgres_url.replace("+asyncpg", ""), timeout=5)
    try:
        endless = await generate(container, ENDLESS)
        with running_worker(env, tmp_path / "worker.log"):
            assert await sleeping_queries(server, 30, want=1) == 1
            await asyncio.sleep(5)  # more than twice the lease, with the query still running
            running = await job_of(container, endless)
            assert (running.status, running.attempts) == (JobStatus.RUNNING, 1)
            assert await sleeping_queries(server, 0, want=1) == 1  # one run, not two

            await container.cancel_job().execute(CancelJobCommand(ANALYST, endless))
            assert await sleeping_queries(server, 10, want=0) == 0

            quick = await generate(container, QUICK)
            done = await wait_for(container, quick, JobStatus.SUCCEEDED, 30)
        log = (tmp_path / "worker.log").read_text()
        cancelled = await job_of(container, endless)
    finally:
        await server.close()
        await stop_services(container)
    assert done.status is JobStatus.SUCCEEDED, log
    assert done.result is not None
    assert done.result.row_count == 10
    assert (cancelled.status, cancelled.result) == (JobStatus.CANCELLED, None)
    kept = [path.name for path in (tmp_path / "results").iterdir()]
    assert kept == [f"{quick}.csv"], "a cancelled job keeps no file, not even a part"
