"""``reportgen worker`` logs each line of a job's run with the job's id and the request id of
the generate that created it, as JSON lines."""

import json
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from adapters.sqlalchemy.demo_data import load_demo_sales
from entrypoints.container import build_container
from entrypoints.demo import DEMO_REPORTS
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.http.conftest import SECRET, bearer, issue_token
from tests.integration.console import clean_env, reportgen

pytestmark = pytest.mark.redis


async def test_the_workers_lines_of_a_job_carry_its_id_and_its_request_id(
    tmp_path: Path, redis_url: str
) -> None:
    env = clean_env(
        tmp_path,
        REPORTGEN_REDIS_URL=redis_url,
        REPORTGEN_JWT_SECRET=SECRET,
        REPORTGEN_LOG_FORMAT="json",
    )
    assert reportgen("db", "upgrade", env=env).returncode == 0
    container = build_container(Settings.from_env(env))
    async with container.unit_of_work() as uow:
        await uow.reports.add(DEMO_REPORTS[0])
        await uow.commit()
    await container.engine().dispose()  # the test client runs the app on a loop of its own
    await load_demo_sales(container.settings().data_sources["demo"], rows=100)
    async with AsyncTestClient(app=create_app(container)) as client:
        accepted = await client.post(
            "/api/v1/reports/report-123/generate",
            headers={"X-Request-ID": "abc123", **bearer(issue_token(container))},
        )
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["jobId"]

    run = reportgen("worker", "--burst", env=env)

    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stderr.splitlines()]
    traced = [line for line in lines if line.get("request_id") == "abc123"]
    assert [line["message"] for line in traced] == [
        f"Job {job_id} started: report report-123, format csv, attempt 1.",
        f"Job {job_id}: succeeded",
    ]
    assert {line["job_id"] for line in traced} == {job_id}
