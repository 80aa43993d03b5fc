"""The commit of new jobs fails after they were put on the queue (AC-006's second order)."""

import resource

from tests.faults.invariants import check
from tests.faults.stack import Deployment, arq_outcomes, wait_until
from tests.support.redis_server import RedisServer

JOBS_SECONDS = 60


def test_jobs_whose_commit_failed_after_the_enqueue_are_answered_503_and_never_run(
    queued: Deployment, private_redis: RedisServer
) -> None:
    assert queued.api is not None
    first = queued.generate()
    # Fault: the API process may no longer write to any file (a full disk, as far as
    # it can tell): its rows are written and its jobs queued in memory and in Redis,
    # then the commit cannot reach the disk.
    _, hard = resource.prlimit(queued.api.pid, resource.RLIMIT_FSIZE)
    resource.prlimit(queued.api.pid, resource.RLIMIT_FSIZE, (0, hard))
    refused = [queued.generate() for _ in range(4)]
    wait_until(
        lambda: list(arq_outcomes(private_redis).values()).count("dropped") >= 4,
        30,
        "the workers to drop the four jobs without a row",
    )
    resource.prlimit(queued.api.pid, resource.RLIMIT_FSIZE, (hard, hard))
    after = [queued.generate() for _ in range(3)]

    outcome = check(
        queued.ledger,
        queued.rows,
        results=queued.results,
        logs=queued.data_dir,
        seconds=JOBS_SECONDS,
    )

    assert first.status == 202
    assert [answer.status for answer in refused] == [503] * 4
    assert [answer.status for answer in after] == [202] * 3
    dropped = {job for job, result in arq_outcomes(private_redis).items() if result == "dropped"}
    assert len(dropped) == 4
    assert not dropped & set(outcome.rows)
    assert {row.status for row in outcome.rows.values()} == {"Succeeded"}
