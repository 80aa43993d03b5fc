"""What the recovery and graceful-stop tests share: a service's data dir, reports that take
a while, jobs created through the real use case, and waiting for their records."""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from adapters.sqlalchemy.demo_data import load_demo_sales
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
from tests.integration.console import reportgen

ANALYST = Principal("analyst", scopes=frozenset({GENERATE_SCOPE}))


_COUNTING = (
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ROWS)"
    " SELECT x, x * 2 AS twice, 'row ' || x AS label FROM n"
)


def counting_report(report_id: str, rows: int) -> ReportConfiguration:
    """A report of ``rows`` rows made by the data source itself: the more, the longer."""
    return ReportConfiguration(
        id=report_id,
        name=report_id,
        data_source="demo",
        query=_COUNTING.replace("ROWS", str(rows)),
        formats=(OutputFormat.CSV,),
        delivery_targets=(DeliveryTarget(DeliveryChannel.API_RESPONSE, DeliveryMode.ASYNC),),
    )


#: A job of many seconds, and one of well under a second.
SLOW = counting_report("slow-report", 3_000_000)
QUICK = counting_report("quick-report", 100)


@asynccontextmanager
async def service(env: dict[str, str]) -> AsyncIterator[Container]:
    """The database of ``env`` migrated, with ``SLOW`` and ``QUICK``; the container the test
    creates jobs and reads records with."""
    upgrade = reportgen("db", "upgrade", env=env)
    assert upgrade.returncode == 0, upgrade.stderr
    container = build_container(Settings.from_env(env))
    try:
        await load_demo_sales(container.settings().data_sources["demo"], rows=10)
        async with container.unit_of_work() as uow:
            for report in (SLOW, QUICK):
                await uow.reports.add(report)
            await uow.commit()
        yield container
    finally:
        await stop_services(container)


async def generate(container: Container, report: ReportConfiguration) -> str:
    """A new job of ``report``, accepted as a client's would be; its id."""
    command = GenerateReportCommand(ANALYST, report_id=report.id)
    return (await container.generate_report().execute(command)).job_id


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
        await asyncio.sleep(0.2)
    return job


async def wait_for_all(
    container: Container, job_ids: list[str], status: JobStatus, seconds: float
) -> list[Job]:
    """The jobs once all have ``status``, or as they are when ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while True:
        jobs = [await job_of(container, job_id) for job_id in job_ids]
        if all(job.status is status for job in jobs) or time.monotonic() > deadline:
            return jobs
        await asyncio.sleep(0.2)


def result_files(data_dir: Path) -> list[str]:
    """The report files stored under the data dir's results."""
    return sorted(path.name for path in (data_dir / "results").rglob("*") if path.is_file())
