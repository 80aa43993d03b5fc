"""The logs of a job's life: one ``grep <request id>`` finds its generate and its run, and no
line holds a token or a data source's password."""

import asyncio
import dataclasses
import io
import json
import logging
import secrets
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from adapters.sqlalchemy.demo_data import load_demo_sales
from entrypoints.container import Container
from entrypoints.demo import DEMO_REPORTS
from entrypoints.http.app import create_app
from entrypoints.logs import JsonLines
from tests.http.conftest import (
    SECRET,
    TokenFactory,
    bearer,
    issue_token,
    prepared_container,
    run_jobs_beside_the_app,
)
from tests.http.jobflow import generate, wait_until_finished
from tests.support.postgres import POSTGRES_ADDRESS, drop_login, read_only_login


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Everything logged meanwhile, as the service writes it: JSON lines."""
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.setFormatter(JsonLines())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield output
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def log_lines(output: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line) for line in output.getvalue().splitlines()]


async def lines_until(output: io.StringIO, message_part: str) -> list[dict[str, str]]:
    """The lines logged, once one holds ``message_part`` (a worker logs its last line just
    after the job's record shows it finished)."""
    async with asyncio.timeout(10):
        while True:
            lines = log_lines(output)
            if any(message_part in line["message"] for line in lines):
                return lines
            await asyncio.sleep(0.02)


async def test_grep_of_the_request_id_shows_the_generate_and_the_workers_lines(
    client: AsyncTestClient, token: TokenFactory, container: Container, log_output: io.StringIO
) -> None:
    await load_demo_sales(container.settings().data_sources["demo"], rows=50)
    alice = token()
    accepted = await client.post(
        "/api/v1/reports/report-123/generate",
        json={"format": "csv"},
        headers={"X-Request-ID": "abc123", **bearer(alice)},
    )
    job_id = accepted.json()["jobId"]
    assert (await wait_until_finished(client, alice, job_id))["status"] == "Succeeded"

    lines = await lines_until(log_output, f"Job {job_id}: succeeded")

    traced = [line for line in lines if line.get("request_id") == "abc123"]
    assert {line["job_id"] for line in traced} == {job_id}
    accepted_line, started_line, *_, finished_line = traced
    assert accepted_line["logger"] == "application.jobs.generate_report"
    assert accepted_line["message"].startswith(f"Job {job_id} accepted: report report-123")
    assert started_line["logger"] == "application.jobs.run_report_job"
    assert started_line["message"].startswith(f"Job {job_id} started")
    assert finished_line["message"] == f"Job {job_id}: succeeded"
    # The worker's lines name the job even where no request does (the poll above has its own).
    worker = [line for line in lines if line["logger"] == "application.jobs.run_report_job"]
    assert all(line["job_id"] == job_id for line in worker)


@pytest.mark.postgres
async def test_no_line_holds_a_token_or_a_data_source_password(
    tmp_path: Path, postgres_url: str, log_output: io.StringIO
) -> None:
    database = postgres_url.rsplit("/", 1)[1]
    server = await asyncpg.connect(f"postgresql://{POSTGRES_ADDRESS}/{database}", timeout=5)
    try:
        await server.execute("CREATE TABLE sales (region text, amount integer)")
        await server.execute("INSERT INTO sales VALUES ('North', 1), ('South', 2)")
    finally:
        await server.close()
    login = f"reportgen_logs_{secrets.token_hex(4)}"
    password = "hunter2-" + secrets.token_hex(8)
    url = (await read_only_login(postgres_url, login)).replace(f"{login}@", f"{login}:{password}@")
    env = {
        "REPORTGEN_DATA_DIR": str(tmp_path),
        "REPORTGEN_JWT_SECRET": SECRET,
        "REPORTGEN_DATA_SOURCE_WAREHOUSE_URL": url,
    }
    container = await prepared_container(env)
    report = dataclasses.replace(
        DEMO_REPORTS[0],
        id="warehouse-sales",
        data_source="warehouse",
        query="SELECT region, amount FROM sales",
        parameters=(),
    )
    async with container.unit_of_work() as uow:
        await uow.reports.add(report)
        await uow.commit()
    await container.engine().dispose()
    run_jobs_beside_the_app(container)
    try:
        alice = issue_token(container)
        async with AsyncTestClient(app=create_app(container)) as client:
            job_id = await generate(client, alice, "warehouse-sales")
            body = await wait_until_finished(client, alice, job_id)
            refused = await client.get("/api/v1/jobs", headers=bearer(alice + "x"))
            lines = await lines_until(log_output, f"Job {job_id}: succeeded")
    finally:
        await drop_login(postgres_url, login)

    assert body["status"] == "Succeeded", body
    assert refused.status_code == 401
    assert any(line.get("job_id") == job_id for line in lines)
    logged = "\n".join(json.dumps(line) for line in lines)
    assert password not in logged
    assert alice not in logged
    assert alice.split(".")[2] not in logged  # not even the token's signature


async def test_the_app_keeps_the_logging_set_up_of_its_process(
    container: Container, log_output: io.StringIO
) -> None:
    ours = logging.getLogger().handlers[-1]

    async with AsyncTestClient(app=create_app(container)) as client:
        answer = await client.get("/health", headers={"X-Request-ID": "kept"})
        logging.getLogger("tests").info("inside")

    assert answer.status_code == 200
    assert ours in logging.getLogger().handlers  # Litestar configured no logging of its own
    assert "inside" in [line["message"] for line in log_lines(log_output)]
