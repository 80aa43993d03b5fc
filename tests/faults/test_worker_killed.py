"""A worker SIGKILLed while it writes a report file."""

import asyncio
import dataclasses
from pathlib import Path

from entrypoints.container import build_container
from entrypoints.lifecycle import stop_services
from entrypoints.settings import Settings
from tests.faults.invariants import check
from tests.faults.stack import Deployment, wait_until
from tests.integration.test_worker_killed_mid_job import SLOW_REPORT
from tests.support.redis_server import RedisServer

JOBS_SECONDS = 90
#: Rows enough that the file is still being written when the worker is killed.
REPORT = dataclasses.replace(SLOW_REPORT, query=SLOW_REPORT.query.replace("3000000", "200000"))


async def add_report(env: dict[str, str]) -> None:
    container = build_container(Settings.from_env(env))
    try:
        async with container.unit_of_work() as uow:
            await uow.reports.add(REPORT)
            await uow.commit()
    finally:
        await stop_services(container)


def test_a_job_whose_worker_died_mid_file_succeeds_on_the_next_with_no_file_left_over(
    tmp_path: Path, private_redis: RedisServer
) -> None:
    with Deployment(tmp_path, redis_url=private_redis.url) as deployment:
        asyncio.run(add_report(deployment.env))
        deployment.start_api()
        worker = deployment.start_worker()
        accepted = deployment.generate(REPORT.id)
        wait_until(
            lambda: any(deployment.results.glob(".*.part")), 30, "the worker to write the file"
        )
        # Fault: kill -9 of the worker in the middle of writing the file.
        deployment.kill_worker(worker)
        deployment.start_worker()

        outcome = check(
            deployment.ledger,
            deployment.rows,
            results=deployment.results,
            logs=tmp_path,
            seconds=JOBS_SECONDS,
            workers_killed=True,
        )

    assert accepted.status == 202
    assert accepted.job_id is not None
    assert outcome.rows[accepted.job_id].status == "Succeeded"
    assert outcome.rows[accepted.job_id].attempts == 2
