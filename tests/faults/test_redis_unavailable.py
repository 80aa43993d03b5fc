"""Redis refusing connections, then hanging, while clients ask for reports."""

from tests.faults.invariants import check
from tests.faults.stack import Deployment, wait_until
from tests.support.redis_server import RedisServer

JOBS_SECONDS = 60


def test_generate_answers_503_while_redis_refuses_connections_and_accepted_jobs_complete(
    queued: Deployment, private_redis: RedisServer
) -> None:
    # Fault: the queue's server dies in the middle of a burst, and comes back empty.
    with queued.burst(clients=8) as burst:
        wait_until(lambda: burst.count(202) >= 10, 30, "the first jobs accepted")
        private_redis.kill()
        wait_until(lambda: burst.count(503) >= 10, 30, "503s while Redis is down")
        accepted_before = burst.count(202)
        private_redis.start()
        wait_until(lambda: burst.count(202) >= accepted_before + 10, 30, "jobs accepted again")

    outcome = check(
        queued.ledger,
        queued.rows,
        results=queued.results,
        logs=queued.data_dir,
        seconds=JOBS_SECONDS,
    )

    assert queued.ledger.count(503) >= 10
    assert {row.status for row in outcome.rows.values()} == {"Succeeded"}


def test_generate_answers_503_in_time_while_redis_hangs_and_earlier_jobs_complete_after(
    queued: Deployment, private_redis: RedisServer
) -> None:
    queued.kill_worker(queued.workers[0])  # the jobs accepted first wait in the queue
    before = [queued.generate() for _ in range(5)]
    # Fault: Redis stops answering (SIGSTOP) without closing a connection.
    private_redis.freeze()
    during = queued.fire(requests=6, clients=3)
    queued.start_worker()  # it connects to the hung server, and waits
    private_redis.thaw()

    outcome = check(
        queued.ledger,
        queued.rows,
        results=queued.results,
        logs=queued.data_dir,
        seconds=JOBS_SECONDS,
    )

    assert [answer.status for answer in before] == [202] * 5
    assert [answer.status for answer in during] == [503] * 6  # each in time: none hung
    assert set(outcome.rows) == queued.ledger.accepted
    assert {row.status for row in outcome.rows.values()} == {"Succeeded"}
