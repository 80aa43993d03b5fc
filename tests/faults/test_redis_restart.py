"""Redis restarted empty under a real ``reportgen worker``: the sweep finds the queued jobs
that lost their entries and hands them over again, so each succeeds, once.

The sweep runs every ``SWEEP_SECONDS`` here (60 by default); each job must succeed within
``RECOVERY_SECONDS`` of Redis answering again, far less than the fixed 300 s after which
a queued job was handed over again before the sweep compared the records with Redis.
"""

import os
import signal
from pathlib import Path

from domain.job_status import JobStatus
from tests.faults.recovery_support import (
    QUICK,
    SLOW,
    generate,
    result_files,
    service,
    wait_for,
    wait_for_all,
)
from tests.integration.console import clean_env, running_worker
from tests.support.redis_server import RedisServer

SWEEP_SECONDS = "2"
RECOVERY_SECONDS = 45
STOP_SECONDS = 20
JOBS = 5


def environment(data_dir: Path, redis: RedisServer, **variables: str) -> dict[str, str]:
    return clean_env(
        data_dir,
        REPORTGEN_REDIS_URL=redis.url,
        REPORTGEN_SWEEP_INTERVAL_SECONDS=SWEEP_SECONDS,
        **variables,
    )


async def test_jobs_queued_when_redis_restarts_empty_succeed_once_after_the_next_sweep(
    tmp_path: Path,
) -> None:
    with RedisServer(tmp_path) as redis:
        env = environment(tmp_path, redis)
        async with service(env) as container:
            with running_worker(env, tmp_path / "worker.log") as worker:
                os.kill(worker.pid, signal.SIGSTOP)  # it holds its connections, takes nothing
                try:
                    job_ids = [await generate(container, QUICK) for _ in range(JOBS)]
                    redis.kill()
                    redis.start()  # empty: the queue entries are gone
                finally:
                    os.kill(worker.pid, signal.SIGCONT)
                jobs = await wait_for_all(container, job_ids, JobStatus.SUCCEEDED, RECOVERY_SECONDS)
                log = (tmp_path / "worker.log").read_text()
                assert worker.poll() is None, log  # it waited Redis out
                worker.send_signal(signal.SIGTERM)
                assert worker.wait(timeout=STOP_SECONDS) == 0, log

    assert [job.status for job in jobs] == [JobStatus.SUCCEEDED] * JOBS, log
    assert [job.attempts for job in jobs] == [1] * JOBS  # each ran once
    assert len(result_files(tmp_path)) == JOBS
    assert log.count("had no queue entry: handed to the queue again") == JOBS


async def test_a_worker_stopped_while_redis_is_down_gives_its_job_back_and_it_runs_once_later(
    tmp_path: Path,
) -> None:
    with RedisServer(tmp_path) as redis:
        env = environment(tmp_path, redis, REPORTGEN_WORKER_GRACE_SECONDS="0")
        async with service(env) as container:
            job_id = await generate(container, SLOW)
            with running_worker(env, tmp_path / "first.log") as first:
                running = await wait_for(container, job_id, JobStatus.RUNNING, 30)
                redis.kill()
                first.send_signal(signal.SIGTERM)
                code = first.wait(timeout=STOP_SECONDS)  # Redis down does not hold it
            first_log = (tmp_path / "first.log").read_text()
            assert running.status is JobStatus.RUNNING, first_log
            handed_back = await wait_for(container, job_id, JobStatus.QUEUED, 0)

            redis.start()  # back, empty
            with running_worker(env, tmp_path / "second.log"):
                done = await wait_for(container, job_id, JobStatus.SUCCEEDED, RECOVERY_SECONDS)
            second_log = (tmp_path / "second.log").read_text()

    assert code == 0, first_log
    assert handed_back.status is JobStatus.QUEUED, first_log
    assert done.status is JobStatus.SUCCEEDED, second_log
    assert done.attempts == 2  # the run given back, then the whole one
    assert len(result_files(tmp_path)) == 1
    assert "had no queue entry" in second_log
