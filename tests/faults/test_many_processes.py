"""Many processes, one truth: two ``reportgen serve`` and three ``reportgen worker`` on one
PostgreSQL database, one Redis and one bucket; 1,000 generate requests over both APIs; one
worker SIGKILLed in the middle. Every job succeeds exactly once, has one object, and downloads
whole from either API."""

import hashlib
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.faults.cluster import SMALL_REPORT, Clients, Cluster, StoredJob, Worker
from tests.faults.invariants import Ledger, check
from tests.faults.stack import wait_until
from tests.support.moto_server import MotoServer
from tests.support.redis_server import RedisServer

REQUESTS = 1_000
CLIENTS = 20
#: The worker is killed once this many jobs have succeeded.
KILL_AFTER = 300
PREFIX = "many/results"
#: Bounds: the whole case runs in well under three minutes here.
ANSWERS_SECONDS = 90
KILL_SECONDS = 60
IN_FLIGHT_SECONDS = 10
JOBS_SECONDS = 60
CASE_SECONDS = 180
#: Downloads read back whole from each API (every file gets a HEAD from one of them).
SAMPLE = 100


@pytest.fixture
def bucket(moto_server: MotoServer) -> str:
    return moto_server.new_bucket()


def objects(moto_server: MotoServer, bucket: str) -> dict[str, int]:
    """Each object's key and size."""
    pages = moto_server.client().get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return {item["Key"]: item["Size"] for page in pages for item in page.get("Contents", [])}


def busiest(workers: list[Worker]) -> Worker | None:
    """The worker with the most deliveries in flight, if it has at least two."""
    worker = max(workers, key=lambda w: len(w.in_flight()))
    return worker if len(worker.in_flight()) >= 2 else None


@pytest.mark.postgres
def test_two_apis_and_three_workers_one_killed_run_each_of_1000_jobs_once_with_one_object(
    tmp_path: Path,
    private_redis: RedisServer,
    postgres_url: str,
    moto_server: MotoServer,
    bucket: str,
) -> None:
    began = time.monotonic()
    ledger = Ledger()

    def stored_names() -> list[str]:
        return [key.removeprefix(f"{PREFIX}/") for key in moto_server.keys(bucket)]

    with Cluster(
        tmp_path,
        redis_url=private_redis.url,
        database_url=postgres_url,
        results_url=f"s3://{bucket}/{PREFIX}",
        aws=moto_server.environment(),
        REPORTGEN_GENERATE_RATE_PER_MINUTE="0",
        REPORTGEN_MAX_UNFINISHED_JOBS_PER_CALLER="0",
        # Five processes and PostgreSQL share two cores: a slow statement is no fault here.
        REPORTGEN_DATABASE_TIMEOUT_SECONDS="5",
        REPORTGEN_QUEUE_TIMEOUT_SECONDS="3",
    ) as cluster:
        first = cluster.start_api()
        cluster.add_small_report(first)
        cluster.start_api()  # started after the report was added: it reads it at start
        workers = [cluster.start_worker() for _ in range(3)]

        with Clients(
            cluster,
            SMALL_REPORT,
            requests=REQUESTS,
            clients=CLIENTS,
            ledger=ledger,
            seconds=ANSWERS_SECONDS,
        ) as clients:
            wait_until(
                lambda: cluster.count("Succeeded") >= KILL_AFTER,
                KILL_SECONDS,
                f"{KILL_AFTER} jobs Succeeded before the kill",
            )
            victim = None

            def found() -> bool:
                nonlocal victim
                victim = busiest(workers)
                return victim is not None

            wait_until(found, IN_FLIGHT_SECONDS, "a worker with two deliveries in flight")
            assert victim is not None
            # Fault: kill -9 of one of the three workers, jobs in flight.
            victim.process.kill()
            victim.process.wait(timeout=10)
            killed_at = time.monotonic() - began
            succeeded_at_kill = cluster.count("Succeeded")
            in_flight = victim.in_flight()
            answers_at_kill = len(clients.answers)

        outcome = check(
            ledger,
            cluster.rows,
            results=stored_names,
            logs=tmp_path,
            seconds=JOBS_SECONDS,
            workers_killed=True,
        )
        ended_at = time.monotonic() - began
        jobs = cluster.stored_jobs()
        stored = objects(moto_server, bucket)
        heads, gets = read_back(cluster, jobs, moto_server, bucket)
        successes = [worker.succeeded() for worker in workers]

    # Every request was accepted, by both APIs alike; each 202 is one row, Succeeded.
    answers = clients.answers
    assert Counter(answer.status for _, answer in answers) == {202: REQUESTS}
    per_api = Counter(api for api, _ in answers)
    assert per_api == {0: REQUESTS // 2, 1: REQUESTS // 2}
    assert len(ledger.accepted) == REQUESTS
    assert set(jobs) == ledger.accepted == set(outcome.rows)
    assert {job.status for job in jobs.values()} == {"Succeeded"}

    # Run once: one claim per job, two only for the jobs the killed worker had in flight.
    attempts = Counter(job.attempts for job in jobs.values())
    rerun = {job_id for job_id, job in jobs.items() if job.attempts > 1}
    assert rerun <= in_flight, f"claimed twice without the kill: {sorted(rerun - in_flight)}"
    assert set(attempts) <= {1, 2}, f"jobs claimed three times or more: {attempts}"
    assert rerun, f"none of the {len(in_flight)} jobs in flight on the killed worker ran again"
    assert all(jobs[job_id].status == "Succeeded" for job_id in in_flight)
    total = Counter[str]()
    for counted in successes:
        total.update(counted)
    assert max(total.values()) == 1, "a job was run to success twice"

    # One object per job, under its recorded key, of its recorded size and SHA-256.
    assert len(stored) == len(jobs)
    assert stored == {f"{PREFIX}/{job.result_key}": job.size for job in jobs.values()}
    assert heads == len(jobs)
    assert gets == [SAMPLE, SAMPLE]

    elapsed = time.monotonic() - began
    print(
        f"\n{REQUESTS} requests, {len(jobs)} jobs, 202s per API {dict(per_api)};"
        f" successes logged per worker {[sum(c.values()) for c in successes]}"
        f" (worker {workers.index(victim) + 1} killed at {killed_at:.1f} s with"
        f" {succeeded_at_kill} jobs Succeeded, {answers_at_kill} answers in;"
        f" {len(in_flight)} deliveries in flight, {len(rerun)} jobs re-ran);"
        f" attempts {dict(attempts)}; {len(stored)} objects; all ended at {ended_at:.1f} s;"
        f" {heads} HEADs, {sum(gets)} downloads; {elapsed:.1f} s in all"
    )
    assert elapsed < CASE_SECONDS, f"the case took {elapsed:.0f} s, over {CASE_SECONDS} s"


def read_back(
    cluster: Cluster, jobs: dict[str, StoredJob], moto_server: MotoServer, bucket: str
) -> tuple[int, list[int]]:
    """HEAD every file through the APIs in turn and download ``SAMPLE`` from each, checking
    each answer against the job's record and the object's bytes; how many of each passed."""
    s3, apis = moto_server.client(), cluster.apis
    heads, gets = 0, [0] * len(apis)
    with httpx.Client(headers=cluster.headers, timeout=10) as client:
        for number, (job_id, job) in enumerate(sorted(jobs.items())):
            assert job.sha256 is not None
            assert job.result_key is not None
            body = s3.get_object(Bucket=bucket, Key=f"{PREFIX}/{job.result_key}")["Body"].read()
            assert hashlib.sha256(body).hexdigest() == job.sha256, f"object of {job_id}"
            index = number % len(apis)
            url = f"{apis[index].base_url}/api/v1/jobs/{job_id}/result"
            head = client.head(url)
            assert head.status_code == 200, (job_id, index, head.status_code)
            assert head.headers["etag"] == f'"{job.sha256}"'
            assert int(head.headers["content-length"]) == job.size == len(body)
            heads += 1
            if number < SAMPLE * len(apis):
                got = client.get(url)
                assert got.status_code == 200, (job_id, index, got.status_code)
                assert got.headers["etag"] == f'"{job.sha256}"'
                assert got.content == body, f"download of {job_id} from API {index + 1}"
                gets[index] += 1
    return heads, gets
