"""A real ``reportgen worker`` killed with SIGKILL in the middle of a job, on the real Redis:
another worker runs the job again once its lease has expired, and it succeeds once."""

from pathlib import Path

import pytest

from adapters.sqlalchemy.demo_data import load_demo_sales
from application.jobs.generate_report import GenerateReportCommand
from domain.job_status import JobStatus
from domain.principal import GENERATE_SCOPE, Principal
from domain.reports import (
    DeliveryChannel,
    DeliveryMode,
    DeliveryTarget,
    OutputFormat,
    ReportConfiguration,
)
from entrypoints.container import build_container
from entrypoints.lifecycle import stop_services
from entrypoints.settings import Settings
from tests.faults.recovery_support import wait_for
from tests.integration.console import clean_env, reportgen, running_worker

pytestmark = pytest.mark.redis

ROWS = 3_000_000
#: Rows enough for a job of several seconds, made by the data source itself.
SLOW_REPORT = ReportConfiguration(
    id="slow-report",
    name="Slow report",
    data_source="demo",
    query=(
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000000)"
        " SELECT x, x * 2 AS twice, 'row ' || x AS label FROM n"
    ),
    formats=(OutputFormat.CSV,),
    delivery_targets=(DeliveryTarget(DeliveryChannel.API_RESPONSE, DeliveryMode.ASYNC),),
)
#: A short lease and a sweep every second, so the dead run is noticed within seconds.
QUICK_RECOVERY = {
    "REPORTGEN_JOB_LEASE_SECONDS": "3",
    "REPORTGEN_JOB_HEARTBEAT_SECONDS": "1",
    "REPORTGEN_SWEEP_INTERVAL_SECONDS": "1",
}
RUNNING_SECONDS = 30
RECOVERY_SECONDS = 120


async def test_a_job_whose_worker_was_killed_runs_again_on_another_worker_and_succeeds(
    tmp_path: Path, redis_url: str
) -> None:
    env = clean_env(tmp_path, REPORTGEN_REDIS_URL=redis_url, **QUICK_RECOVERY)
    assert reportgen("db", "upgrade", env=env).returncode == 0
    container = build_container(Settings.from_env(env))
    try:
        await load_demo_sales(container.settings().data_sources["demo"], rows=10)
        async with container.unit_of_work() as uow:
            await uow.reports.add(SLOW_REPORT)
            await uow.commit()
        analyst = Principal("analyst", scopes=frozenset({GENERATE_SCOPE}))
        command = GenerateReportCommand(analyst, report_id=SLOW_REPORT.id)
        job_id = (await container.generate_report().execute(command)).job_id

        with running_worker(env, tmp_path / "first.log") as first:
            running = await wait_for(container, job_id, JobStatus.RUNNING, RUNNING_SECONDS)
            first.kill()  # SIGKILL: no clean-up, arq keeps the job's keys
            first.wait(timeout=10)
        assert running.status is JobStatus.RUNNING, (tmp_path / "first.log").read_text()

        with running_worker(env, tmp_path / "second.log"):
            done = await wait_for(container, job_id, JobStatus.SUCCEEDED, RECOVERY_SECONDS)
        log = (tmp_path / "second.log").read_text()
    finally:
        await stop_services(container)

    assert done.status is JobStatus.SUCCEEDED, log
    assert done.attempts == 2
    assert done.result is not None
    assert done.result.row_count == ROWS
