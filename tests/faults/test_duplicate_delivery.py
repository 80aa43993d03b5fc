"""The same job delivered more than once by the queue, to two workers at a time."""

import asyncio
from datetime import datetime

import httpx

from adapters.arq.scheduler import ArqJobScheduler, create_redis
from application.jobs.ports import JobMessage
from tests.faults.invariants import check
from tests.faults.stack import Deployment, arq_outcomes, wait_until
from tests.support.redis_server import RedisServer

JOBS_SECONDS = 60
DELIVERIES = 3


async def deliver_again(redis_url: str, jobs: list[tuple[str, datetime]]) -> None:
    """Queue each job ``DELIVERIES - 1`` more times, under arq ids of their own."""
    scheduler = ArqJobScheduler(create_redis(redis_url, timeout_seconds=5), timeout_seconds=5)
    try:
        for job_id, requested_at in jobs:
            for delivery in range(1, DELIVERIES):
                await scheduler.enqueue(JobMessage(job_id, requested_at, delivery))
    finally:
        await scheduler.stop()


def created_at(deployment: Deployment, job_id: str) -> datetime:
    """When the job was requested, as its status answer says."""
    url = f"{deployment.base_url}/api/v1/jobs/{job_id}"
    answer = httpx.get(url, headers=deployment.headers, timeout=10)
    answer.raise_for_status()
    return datetime.fromisoformat(answer.json()["createdAt"])


def test_a_job_delivered_three_times_runs_to_success_once_with_one_file(
    queued: Deployment, private_redis: RedisServer
) -> None:
    queued.kill_worker(queued.workers[0])  # every delivery waits in the queue
    accepted = [queued.generate() for _ in range(10)]
    jobs = [(str(answer.job_id), created_at(queued, str(answer.job_id))) for answer in accepted]
    # Fault: each job is delivered three times, and two workers take deliveries at once.
    asyncio.run(deliver_again(queued.env["REPORTGEN_REDIS_URL"], jobs))
    queued.start_worker()
    queued.start_worker()

    outcome = check(
        queued.ledger,
        queued.rows,
        results=queued.results,
        logs=queued.data_dir,
        seconds=JOBS_SECONDS,
    )

    assert [answer.status for answer in accepted] == [202] * 10
    assert {row.status for row in outcome.rows.values()} == {"Succeeded"}
    assert {row.attempts for row in outcome.rows.values()} == {1}
    # The last deliveries may still be on their way when the last job has succeeded.
    wait_until(
        lambda: len(arq_outcomes(private_redis)) >= DELIVERIES * len(jobs),
        JOBS_SECONDS,
        "every delivery to end",
    )
    deliveries = sorted(str(result) for result in arq_outcomes(private_redis).values())
    assert deliveries == ["already_handled"] * 20 + ["succeeded"] * 10
