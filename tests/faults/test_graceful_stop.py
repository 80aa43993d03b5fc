"""An orderly stop (SIGTERM) of ``reportgen worker`` and of ``reportgen serve`` leaves no job
``Running``: a job finishes within the grace period, or goes back to the queue and runs
again, whole, once a worker is back."""

import signal
from pathlib import Path

import pytest

from domain.job_status import JobStatus
from tests.faults.recovery_support import (
    SLOW,
    counting_report,
    generate,
    result_files,
    service,
    wait_for,
)
from tests.integration.console import clean_env, running_worker
from tests.integration.test_cli_serve import free_port, serving

STOP_SECONDS = 30
RUNNING_SECONDS = 30
DONE_SECONDS = 120
#: A job of a second or two: it finishes within a long grace period.
MEDIUM = counting_report("medium-report", 300_000)


@pytest.mark.redis
async def test_a_worker_told_to_stop_without_grace_gives_its_job_back_and_it_runs_once_later(
    tmp_path: Path, redis_url: str
) -> None:
    env = clean_env(tmp_path, REPORTGEN_REDIS_URL=redis_url, REPORTGEN_WORKER_GRACE_SECONDS="0")
    async with service(env) as container:
        job_id = await generate(container, SLOW)
        with running_worker(env, tmp_path / "first.log") as first:
            running = await wait_for(container, job_id, JobStatus.RUNNING, RUNNING_SECONDS)
            first.send_signal(signal.SIGTERM)
            code = first.wait(timeout=STOP_SECONDS)
        first_log = (tmp_path / "first.log").read_text()
        handed_back = await wait_for(container, job_id, JobStatus.QUEUED, 0)
        with running_worker(env, tmp_path / "second.log"):
            done = await wait_for(container, job_id, JobStatus.SUCCEEDED, DONE_SECONDS)
        second_log = (tmp_path / "second.log").read_text()

    assert running.status is JobStatus.RUNNING, first_log
    assert code == 0, first_log
    assert handed_back.status is JobStatus.QUEUED, first_log
    assert handed_back.lease_expires_at is None
    assert "given back to the queue" in first_log
    assert done.status is JobStatus.SUCCEEDED, second_log
    assert done.attempts == 2  # the run given back, then the whole one
    assert len(result_files(tmp_path)) == 1


@pytest.mark.redis
async def test_a_worker_told_to_stop_finishes_its_running_job_within_the_grace_period(
    tmp_path: Path, redis_url: str
) -> None:
    env = clean_env(tmp_path, REPORTGEN_REDIS_URL=redis_url, REPORTGEN_WORKER_GRACE_SECONDS="120")
    async with service(env) as container:
        async with container.unit_of_work() as uow:
            await uow.reports.add(MEDIUM)
            await uow.commit()
        job_id = await generate(container, MEDIUM)
        with running_worker(env, tmp_path / "worker.log") as worker:
            running = await wait_for(container, job_id, JobStatus.RUNNING, RUNNING_SECONDS)
            worker.send_signal(signal.SIGTERM)
            code = worker.wait(timeout=DONE_SECONDS)
        log = (tmp_path / "worker.log").read_text()
        done = await wait_for(container, job_id, JobStatus.SUCCEEDED, 0)

    assert running.status is JobStatus.RUNNING, log
    assert code == 0, log
    assert done.status is JobStatus.SUCCEEDED, log
    assert done.attempts == 1
    assert "given back to the queue" not in log


async def test_serve_told_to_stop_has_its_embedded_worker_give_the_job_back_and_it_runs_later(
    tmp_path: Path,
) -> None:
    env = clean_env(tmp_path)
    port = free_port()
    async with service(env) as container:
        with serving(tmp_path, port, "first.log") as server:
            job_id = await generate(container, SLOW)
            running = await wait_for(container, job_id, JobStatus.RUNNING, RUNNING_SECONDS)
            server.send_signal(signal.SIGTERM)
            code = server.wait(timeout=STOP_SECONDS)
        first_log = (tmp_path / "first.log").read_text()
        handed_back = await wait_for(container, job_id, JobStatus.QUEUED, 0)
        with serving(tmp_path, port, "second.log"):
            done = await wait_for(container, job_id, JobStatus.SUCCEEDED, DONE_SECONDS)
        second_log = (tmp_path / "second.log").read_text()

    assert running.status is JobStatus.RUNNING, first_log
    assert code == 0, first_log
    assert handed_back.status is JobStatus.QUEUED, first_log
    assert "given back to the queue" in first_log
    assert done.status is JobStatus.SUCCEEDED, second_log
    assert done.attempts == 2
    assert len(result_files(tmp_path)) == 1
