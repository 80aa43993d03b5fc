"""The API process SIGKILLed while concurrent clients ask for reports."""

from tests.faults.invariants import check
from tests.faults.stack import Deployment, wait_until

JOBS_SECONDS = 60


def test_every_202_completes_and_every_cut_off_request_left_a_finished_job_or_nothing(
    queued: Deployment,
) -> None:
    with queued.burst(clients=12) as burst:
        wait_until(lambda: burst.count(202) >= 40, 30, "jobs accepted under load")
        # Fault: kill -9 of the API in the middle of its requests (and of a group commit).
        queued.kill_api()
        wait_until(lambda: burst.count(None) >= 12, 30, "requests cut off")
        accepted = burst.count(202)
        queued.start_api()
        wait_until(lambda: burst.count(202) >= accepted + 20, 30, "jobs accepted again")

    outcome = check(
        queued.ledger,
        queued.rows,
        results=queued.results,
        logs=queued.data_dir,
        seconds=JOBS_SECONDS,
        cut_offs_allowed=True,
    )

    assert queued.ledger.count(None) >= 12
    assert queued.ledger.accepted <= set(outcome.rows)
    assert {row.status for row in outcome.rows.values()} == {"Succeeded"}
