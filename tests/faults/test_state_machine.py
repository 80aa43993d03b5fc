"""Generate, poll, cancel, worker kills and Redis restarts, interleaved by hypothesis against
the real processes, with the invariants checked after every step."""

from pathlib import Path

import httpx
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from tests.faults.invariants import STATUSES, Allowances, check, check_safety
from tests.faults.stack import CLIENT_TIMEOUT_SECONDS, Deployment
from tests.support.redis_server import RedisServer

JOBS_SECONDS = 90
#: A worker or Redis may be killed at any step, and the API never is.
ALLOWED = Allowances(workers_killed=True)


class ReportService(RuleBasedStateMachine):
    """One deployment (serve, a worker, a private redis-server) shared by every run of the
    machine: the ledger holds every answer since it started."""

    deployment: Deployment
    redis: RedisServer

    jobs = Bundle("jobs")

    @rule(target=jobs, requests=st.integers(min_value=1, max_value=4))
    def generate(self, requests: int) -> object:
        """Ask for reports; a 202 adds its job to the bundle."""
        answers = self.deployment.fire(requests=requests, clients=2)
        return multiple(*(answer.job_id for answer in answers if answer.status == 202))

    @rule(job_id=jobs)
    def poll(self, job_id: str) -> None:
        """Read a job: 200 with one of the five statuses."""
        response = self._call("GET", job_id)
        assert response.status_code == 200, response.text
        assert response.json()["status"] in STATUSES

    @rule(job_id=consumes(jobs))
    def cancel(self, job_id: str) -> None:
        """Cancel a job: it was not finished yet, or 409 says it was."""
        response = self._call("DELETE", job_id)
        assert response.status_code in (200, 409), response.text

    @rule()
    def kill_worker(self) -> None:
        """SIGKILL the worker in whatever it does, and start another."""
        self.deployment.kill_worker(self.deployment.workers[0])
        self.deployment.start_worker()

    @rule()
    def restart_redis(self) -> None:
        """Kill Redis and start it again, empty."""
        self.redis.kill()
        self.redis.start()

    @invariant()
    def promises_hold(self) -> None:
        """Every answer, row, file and run so far keeps the promises of a 202."""
        d = self.deployment
        check_safety(d.ledger, d.rows, results=d.results, logs=d.data_dir, allowed=ALLOWED)

    def _call(self, method: str, job_id: str) -> httpx.Response:
        url = f"{self.deployment.base_url}/api/v1/jobs/{job_id}"
        return httpx.request(
            method, url, headers=self.deployment.headers, timeout=CLIENT_TIMEOUT_SECONDS
        )


def test_interleaved_faults_keep_every_promise_of_a_202(
    queued: Deployment, private_redis: RedisServer, tmp_path: Path
) -> None:
    ReportService.deployment, ReportService.redis = queued, private_redis
    run_state_machine_as_test(
        ReportService,
        settings=settings(
            max_examples=8,
            stateful_step_count=12,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: each step costs seconds
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )

    outcome = check(
        queued.ledger,
        queued.rows,
        results=queued.results,
        logs=tmp_path,
        seconds=JOBS_SECONDS,
        workers_killed=True,
    )

    assert outcome.rows  # some job was accepted, so the checks had something to check
