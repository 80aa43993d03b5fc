"""Many clients at once: 500 generate requests from 50 concurrent clients."""

from pathlib import Path

from tests.faults.invariants import check
from tests.faults.stack import Deployment

JOBS_SECONDS = 120


def test_500_requests_from_50_clients_make_500_jobs_that_each_succeed_once(
    tmp_path: Path,
) -> None:
    with Deployment(tmp_path, REPORTGEN_EMBEDDED_WORKERS="2") as embedded:
        embedded.start_api()
        answers = embedded.fire(requests=500, clients=50)

        outcome = check(
            embedded.ledger,
            embedded.rows,
            results=embedded.results,
            logs=tmp_path,
            seconds=JOBS_SECONDS,
        )

    assert [answer.status for answer in answers] == [202] * 500
    assert len({answer.job_id for answer in answers}) == 500
    assert set(outcome.rows) == embedded.ledger.accepted
    assert {row.status for row in outcome.rows.values()} == {"Succeeded"}
