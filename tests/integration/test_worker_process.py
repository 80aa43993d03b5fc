"""The real ``reportgen worker`` process runs the jobs the HTTP app queues in the real Redis."""

import csv
import hashlib
import io
import json
import signal
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.sqlalchemy.demo_data import load_demo_sales
from entrypoints.container import build_container
from entrypoints.demo import DEMO_REPORTS, SALES_QUERY
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.http.conftest import SECRET, bearer, issue_token
from tests.http.jobflow import generate, wait_until_finished
from tests.integration.console import clean_env, reportgen, running_worker

pytestmark = pytest.mark.redis

SALES_ROWS = 3_000
PARAMETERS = {"region": "North", "start_date": "2025-01-01"}
STOP_SECONDS = 10


@pytest.fixture
def env(tmp_path: Path, redis_url: str) -> dict[str, str]:
    """The environment of the worker process and the app: one data dir, one Redis."""
    env = clean_env(tmp_path, REPORTGEN_REDIS_URL=redis_url, REPORTGEN_JWT_SECRET=SECRET)
    upgrade = reportgen("db", "upgrade", env=env)
    assert upgrade.returncode == 0, upgrade.stderr
    return env


@pytest.fixture
def worker(env: dict[str, str], tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``reportgen worker`` running; killed on the way out if it is still running."""
    with running_worker(env, tmp_path / "worker.log") as process:
        yield process


async def expected_rows(url: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The demo report's query run straight on the sales table: its columns and rows."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            values = {"end_date": None, **PARAMETERS}
            result = await connection.execute(sa.text(SALES_QUERY), values)
            return list(result.keys()), [tuple(row) for row in result]
    finally:
        await engine.dispose()


def read_report(file_format: str, content: bytes) -> tuple[list[str], list[tuple[Any, ...]]]:
    """A downloaded report's header and rows, as the values a reader of that format gets."""
    if file_format == "csv":
        header, *records = csv.reader(io.StringIO(content.decode()))
        return header, [tuple(record) for record in records]
    if file_format == "json":
        items: list[dict[str, Any]] = json.loads(content)
        return list(items[0]), [tuple(item.values()) for item in items]
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    try:
        header, *cells = workbook["Report"].iter_rows(values_only=True)
        return [str(name) for name in header], [tuple(row) for row in cells]
    finally:
        workbook.close()


def as_csv_text(rows: Sequence[tuple[Any, ...]]) -> list[tuple[str, ...]]:
    return [tuple(str(value) for value in row) for row in rows]


async def test_reports_requested_over_http_are_run_by_the_worker_process_and_match_the_query(
    env: dict[str, str], worker: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    container = build_container(Settings.from_env(env))
    async with container.unit_of_work() as uow:
        for report in DEMO_REPORTS:
            await uow.reports.add(report)
        await uow.commit()
    await container.engine().dispose()  # the test client runs the app on a loop of its own
    sales_url = container.settings().data_sources["demo"]
    assert await load_demo_sales(sales_url, rows=SALES_ROWS) == SALES_ROWS
    columns, rows = await expected_rows(sales_url)
    assert 0 < len(rows) < SALES_ROWS
    alice = issue_token(container)

    async with AsyncTestClient(app=create_app(container)) as client:
        for file_format in ("csv", "json", "xlsx"):
            job_id = await generate(client, alice, parameters=PARAMETERS, format=file_format)
            body = await wait_until_finished(client, alice, job_id, within=30)
            assert body["status"] == "Succeeded", (file_format, body)
            assert body["result"]["rowCount"] == len(rows)

            download = await client.get(f"/api/v1/jobs/{job_id}/result", headers=bearer(alice))
            assert download.status_code == 200
            assert download.headers["etag"] == f'"{hashlib.sha256(download.content).hexdigest()}"'
            header, written = read_report(file_format, download.content)
            expected = as_csv_text(rows) if file_format == "csv" else rows
            assert header == columns
            assert [row[0] for row in written] == [row[0] for row in expected]  # ids, in order
            assert written == expected

    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=STOP_SECONDS) == 0
    log = (tmp_path / "worker.log").read_text()
    assert log.count(": succeeded") == 3, log
