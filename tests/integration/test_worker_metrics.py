"""``reportgen worker`` serves Prometheus metrics of the jobs it runs and the webhooks it
sends at ``REPORTGEN_WORKER_METRICS_ADDRESS``, while it runs."""

import asyncio
import contextlib
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest
from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families

from adapters.sqlalchemy.demo_data import load_demo_sales
from adapters.sqlalchemy.migrate import upgrade_database
from entrypoints.container import build_container
from entrypoints.demo import DEMO_REPORTS
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.http.conftest import SECRET, bearer, issue_token
from tests.integration.console import clean_env, running_worker
from tests.support.redis_server import free_port
from tests.support.webhook_receiver import loopback_webhooks, webhook_receiver

pytestmark = pytest.mark.redis
JOBS = 3
WEBHOOK_ATTEMPTS = "reportgen_worker_webhook_attempts_total"


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(url: str) -> Samples:
    """Each sample of the metrics at ``url``: (name, labels) to value."""
    text = httpx.get(url, timeout=2).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def wait_for_succeeded_jobs(url: str, jobs: int) -> Samples:
    """The samples once they count ``jobs`` succeeded runs of report-123 (30 s at most)."""
    succeeded = ("reportgen_worker_jobs_ended_total", report(("outcome", "succeeded")))
    deadline = time.monotonic() + 30
    seen: Samples = {}
    while time.monotonic() < deadline:
        try:
            seen = samples(url)
        except httpx.TransportError:  # not serving yet
            seen = {}
        if seen.get(succeeded) == jobs:
            return seen
        time.sleep(0.1)
    pytest.fail(f"the worker's metrics never showed {jobs} succeeded jobs: {seen}")


def report(*labels: tuple[str, str]) -> frozenset[tuple[str, str]]:
    return frozenset({("report", "report-123"), *labels})


async def queue_jobs(env: dict[str, str], jobs: int, body: dict[str, str] | None = None) -> None:
    """Migrate, add the demo report and 100 sales rows, then queue ``jobs`` jobs through the
    real app (no worker runs them yet)."""
    container = build_container(Settings.from_env(env))
    await upgrade_database(container.settings().database_url)
    async with container.unit_of_work() as uow:
        await uow.reports.add(DEMO_REPORTS[0])
        await uow.commit()
    await container.engine().dispose()
    await load_demo_sales(container.settings().data_sources["demo"], rows=100)
    async with AsyncTestClient(app=create_app(container)) as client:
        for _ in range(jobs):
            accepted = await client.post(
                "/api/v1/reports/report-123/generate",
                headers=bearer(issue_token(container)),
                json=body,
            )
            assert accepted.status_code == 202, accepted.text


async def test_the_worker_counts_times_and_sizes_the_jobs_it_runs(
    tmp_path: Path, redis_url: str
) -> None:
    port = free_port()
    env = clean_env(
        tmp_path,
        REPORTGEN_REDIS_URL=redis_url,
        REPORTGEN_JWT_SECRET=SECRET,
        REPORTGEN_WORKER_METRICS_ADDRESS=f"127.0.0.1:{port}",
    )
    await queue_jobs(env, JOBS)

    url = f"http://127.0.0.1:{port}/metrics"
    with running_worker(env, tmp_path / "worker.log") as worker:
        seen = wait_for_succeeded_jobs(url, JOBS)

        assert seen[("reportgen_worker_jobs_started_total", report())] == JOBS
        assert seen[("reportgen_worker_job_duration_seconds_count", report())] == JOBS
        assert seen[("reportgen_worker_job_rows_count", report())] == JOBS
        assert seen[("reportgen_worker_job_rows_sum", report())] > 0
        deliveries = ("reportgen_worker_deliveries_total", frozenset({("outcome", "succeeded")}))
        assert seen[deliveries] == JOBS
        assert seen[("reportgen_queue_depth", frozenset())] == 0

        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=40) == 0

    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(("127.0.0.1", port), timeout=1),
    ):
        pass


async def test_the_worker_counts_the_webhooks_it_sends_by_outcome(
    tmp_path: Path, redis_url: str
) -> None:
    port = free_port()
    with webhook_receiver(500, 204) as receiver:  # the first attempt fails, the retry succeeds
        env = clean_env(
            tmp_path,
            REPORTGEN_REDIS_URL=redis_url,
            REPORTGEN_JWT_SECRET=SECRET,
            REPORTGEN_WORKER_METRICS_ADDRESS=f"127.0.0.1:{port}",
            **loopback_webhooks(),
        )
        await queue_jobs(env, 1, {"callbackUrl": receiver.url})

        url = f"http://127.0.0.1:{port}/metrics"
        delivered = (WEBHOOK_ATTEMPTS, frozenset({("outcome", "delivered")}))
        retrying = (WEBHOOK_ATTEMPTS, frozenset({("outcome", "retrying")}))
        with running_worker(env, tmp_path / "worker.log"):
            deadline = time.monotonic() + 30
            seen: Samples = {}
            while seen.get(delivered) != 1 and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
                with contextlib.suppress(httpx.TransportError):  # not serving yet
                    seen = await asyncio.to_thread(samples, url)

    assert seen.get(delivered) == 1, (tmp_path / "worker.log").read_text()[-3000:]
    assert seen[retrying] == 1  # the 500, retried 5 s later
    assert len(receiver.received) == 2
