"""Waiting and following against real processes: ``reportgen serve`` woken by a real worker's
announcements, through Redis pub/sub and through the embedded mode's local sockets."""

import asyncio
import collections
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import httpx
import pytest
import redis
import sqlalchemy as sa

from adapters.announcements.redis import changes_channel
from adapters.sqlalchemy.engine import create_engine
from entrypoints.settings import Settings
from tests.integration.console import REPORTGEN, clean_env, reportgen, running_worker
from tests.integration.test_cli_serve import free_port, seeded_data_dir, serving
from tests.support.polling import eventually
from tests.support.processes import open_files

__all__ = ["seeded_data_dir"]  # the fixture, for the tests below

FINISHED = {"Succeeded", "Failed", "Cancelled"}
WAITERS = 1000
JOBS = 40


def bearer_token(data_dir: Path, **variables: str) -> dict[str, str]:
    issued = reportgen(
        "token", "--sub", "alice", "--role", "analyst", env=clean_env(data_dir, **variables)
    )
    assert issued.returncode == 0, issued.stderr
    return {"Authorization": f"Bearer {issued.stdout.strip()}"}


async def generate(client: httpx.AsyncClient, headers: dict[str, str], **body: object) -> str:
    response = await client.post("/api/v1/reports/report-123/generate", json=body, headers=headers)
    assert response.status_code == 202, response.text
    return str(response.json()["jobId"])


def subscribers(redis_url: str, channel: str) -> int:
    client = redis.Redis.from_url(redis_url)
    try:
        return int(dict(client.pubsub_numsub(channel))[channel.encode()])
    finally:
        client.close()


async def test_a_thousand_waiters_on_one_api_process_are_woken_by_a_real_worker_through_redis(
    seeded_data_dir: Path, redis_url: str
) -> None:
    variables = {
        "REPORTGEN_REDIS_URL": redis_url,
        "REPORTGEN_MAX_HELD_REQUESTS_PER_CALLER": str(WAITERS),  # one caller waits 1,000 times
    }
    headers = bearer_token(seeded_data_dir, **variables)
    port = free_port()
    settings = Settings.from_env(clean_env(seeded_data_dir, **variables))
    channel = changes_channel(settings.database_url)
    limits = httpx.Limits(max_connections=WAITERS + 10)
    with serving(seeded_data_dir, port, **variables):
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=60
        ) as client:
            quick = {"parameters": {"region": "nowhere"}}  # jobs of no rows: seconds for all
            jobs = [await generate(client, headers, **quick) for _ in range(JOBS)]

            asked_again: list[str] = []

            async def wait(job_id: str) -> tuple[str, float]:
                url = f"/api/v1/jobs/{job_id}?wait=30"
                try:
                    response = await client.get(url, headers=headers)
                except httpx.TransportError as error:  # a connection lost: ask again, once
                    asked_again.append(repr(error))
                    response = await client.get(url, headers=headers)
                assert response.status_code == 200, response.text
                body = response.json()
                ended = datetime.fromisoformat(body["finishedAt"]).timestamp()
                return str(body["status"]), time.time() - ended

            waiting = [asyncio.create_task(wait(jobs[n % JOBS])) for n in range(WAITERS)]
            base = f"http://127.0.0.1:{port}"
            all_held = await asyncio.to_thread(
                eventually, lambda: held(base, "/api/v1/jobs/{job_id}") == WAITERS, 30
            )
            assert all_held  # every waiter is held by the server, none answered yet
            assert not any(task.done() for task in waiting)
            numsub = await asyncio.to_thread(subscribers, redis_url, channel)
            assert numsub == 1  # one subscription for the process, however many wait
            env = clean_env(seeded_data_dir, **variables)
            with running_worker(env, seeded_data_dir / "worker.log"):
                answers = await asyncio.wait_for(asyncio.gather(*waiting), 40)
            log = (seeded_data_dir / "serve.log").read_text()[-3000:]
            assert {status for status, _ in answers} == {"Succeeded"}
            # A connection lost now and then on a loaded machine is asked again, as a client
            # would; more than 1 in 100 is a fault of the server.
            assert len(asked_again) <= WAITERS // 100, (asked_again[:5], log)
            # Each waiter was answered after its job ended, not when its wait ran out (which
            # would be 20 s or more after): the 1,000 answers share two busy cores.
            lateness = sorted(late for _, late in answers)
            assert lateness[-1] < 15, lateness[::50]


async def test_a_real_client_follows_a_job_run_by_embedded_workers_to_its_end(
    seeded_data_dir: Path,
) -> None:
    headers = bearer_token(seeded_data_dir)
    port = free_port()
    with serving(seeded_data_dir, port):
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            job_id = await generate(client, headers, format="xlsx")
            events: list[dict[str, str]] = []
            async with client.stream(
                "GET", f"/api/v1/jobs/{job_id}/events", headers=headers
            ) as stream:
                assert stream.headers["content-type"].startswith("text/event-stream")
                fields: dict[str, str] = {}
                async for line in stream.aiter_lines():
                    if not line:
                        if "data" in fields:
                            events.append(fields)
                        fields = {}
                    elif not line.startswith(":"):
                        name, _, value = line.partition(": ")
                        fields[name] = value
            statuses = [json.loads(event["data"])["status"] for event in events]
            assert statuses[-1] == "Succeeded"
            assert set(statuses[:-1]) <= {"Queued", "Running"}
            assert events[-1]["id"].startswith("Succeeded.1.")

            # ``?wait`` on a new job: woken across processes by the worker that ran it.
            other = await generate(client, headers, format="xlsx")
            started = time.monotonic()
            response = await client.get(f"/api/v1/jobs/{other}?wait=30", headers=headers)
            assert response.json()["status"] in FINISHED
            assert time.monotonic() - started < 25

            response = await client.post(
                "/api/v1/reports/report-123/generate",
                headers={**headers, "Prefer": "respond-async, wait=30"},
            )
            assert response.status_code == 200
            assert response.json()["status"] == "Succeeded"


@pytest.mark.parametrize("mode", ["embedded"])
def test_the_event_stream_of_a_finished_job_ends_at_once(seeded_data_dir: Path, mode: str) -> None:
    headers = bearer_token(seeded_data_dir)
    port = free_port()
    with serving(seeded_data_dir, port):
        base = f"http://127.0.0.1:{port}"
        response = httpx.post(
            f"{base}/api/v1/reports/report-123/generate",
            headers={**headers, "Prefer": "wait=30"},
            timeout=40,
        )
        job_id = response.json()["jobId"]
        events = httpx.get(f"{base}/api/v1/jobs/{job_id}/events", headers=headers, timeout=10)
        assert events.status_code == 200
        assert events.text.count("event: status") == 1


def held(base: str, path: str) -> int:
    """How many answers of the route ``path`` the server is holding now (its metrics)."""
    metrics = httpx.get(f"{base}/metrics", timeout=5).text
    return sum(
        int(float(line.rsplit(" ", 1)[1]))
        for line in metrics.splitlines()
        if line.startswith("reportgen_requests_in_progress{") and f'path="{path}"' in line
    )


def test_a_server_told_to_stop_answers_its_held_waits_and_ends_its_streams_at_once(
    seeded_data_dir: Path, redis_url: str
) -> None:
    variables = {"REPORTGEN_REDIS_URL": redis_url}  # the default grace: 30 s
    headers = bearer_token(seeded_data_dir, **variables)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with serving(seeded_data_dir, port, **variables) as server, ThreadPoolExecutor(1) as pool:
        job = httpx.post(f"{base}/api/v1/reports/report-123/generate", headers=headers, timeout=10)
        job_id = job.json()["jobId"]  # no worker: it stays Queued
        with httpx.stream(
            "GET", f"{base}/api/v1/jobs/{job_id}/events", headers=headers, timeout=30
        ) as stream:
            first = json.loads(first_event(lines := stream.iter_lines())[5:])
            waiting = pool.submit(
                httpx.get, f"{base}/api/v1/jobs/{job_id}?wait=30", headers=headers, timeout=40
            )
            assert eventually(lambda: held(base, "/api/v1/jobs/{job_id}") == 1, 10)
            server.send_signal(signal.SIGTERM)
            stopping = time.monotonic()
            rest = list(lines)  # the stream ends, whole: no cut connection
            answer = waiting.result(timeout=10)
            server.wait(timeout=20)
            stopped_after = time.monotonic() - stopping
    assert first["status"] == "Queued"
    assert [line for line in rest if line.startswith("data:")] == []  # nothing new to tell
    assert answer.status_code == 200
    assert answer.json()["status"] == "Queued"  # the job as it was, before the 30 s were up
    assert stopped_after < 10  # not the grace of 30 s
    assert server.returncode in {0, -signal.SIGTERM}  # uvicorn ends by its signal again


def test_a_server_told_to_stop_waits_for_a_request_still_arriving_only_for_its_grace(
    seeded_data_dir: Path, redis_url: str
) -> None:
    variables = {
        "REPORTGEN_REDIS_URL": redis_url,
        "REPORTGEN_SERVE_GRACE_SECONDS": "2",
        "REPORTGEN_CLIENT_BODY_TIMEOUT_SECONDS": "60",
    }
    headers = bearer_token(seeded_data_dir, **variables)
    port = free_port()
    with (
        serving(seeded_data_dir, port, **variables) as server,
        socket.create_connection(("127.0.0.1", port), timeout=30) as slow,
    ):
        slow.sendall(  # a generate whose body is still on its way
            b"POST /api/v1/reports/report-123/generate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Authorization: " + headers["Authorization"].encode() + b"\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )
        assert eventually(
            lambda: held(f"http://127.0.0.1:{port}", "/api/v1/reports/{report_id}/generate") == 1,
            10,
        )
        server.send_signal(signal.SIGTERM)
        stopping = time.monotonic()
        time.sleep(1)
        assert server.poll() is None  # it lets the request run for its grace
        server.wait(timeout=20)
        assert time.monotonic() - stopping < 15
        answer = slow.recv(65536)  # then it gave the request up: a 500, or nothing
        assert answer == b"" or answer.startswith(b"HTTP/1.1 500 "), answer


def test_reportgen_run_rides_through_a_restart_of_the_server_it_follows(
    seeded_data_dir: Path, redis_url: str
) -> None:
    variables = {"REPORTGEN_REDIS_URL": redis_url}
    headers = bearer_token(seeded_data_dir, **variables)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    target = seeded_data_dir / "out" / "report.csv"
    target.parent.mkdir()
    client_env = {
        **{name: value for name, value in os.environ.items() if not name.startswith("REPORTGEN_")},
        "REPORTGEN_URL": base,
        "REPORTGEN_TOKEN": headers["Authorization"].removeprefix("Bearer "),
    }
    with serving(seeded_data_dir, port, "first.log", **variables) as server:
        run = subprocess.Popen(
            [str(REPORTGEN), "run", "report-123", "-o", str(target)],
            env=client_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:  # no worker yet: the job stays Queued while the client follows its events
            following = eventually(lambda: held(base, "/api/v1/jobs/{job_id}/events") == 1, 20)
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)
        except BaseException:
            run.kill()
            raise
    try:
        assert following, (seeded_data_dir / "first.log").read_text()[-3000:]
        time.sleep(8)  # the client finds nobody there for a while, and tries again
        assert run.poll() is None
        with (
            serving(seeded_data_dir, port, "second.log", **variables),
            running_worker(clean_env(seeded_data_dir, **variables), seeded_data_dir / "w.log"),
        ):
            out, err = run.communicate(timeout=90)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, err
    assert out.strip() == str(target)  # the file's path, its SHA-256 checked by the client
    assert target.read_text().startswith("id,sale_date,region,")


async def test_serve_started_with_a_low_open_files_limit_raises_it_and_holds_hundreds_of_waits(
    seeded_data_dir: Path, redis_url: str
) -> None:
    variables = {"REPORTGEN_REDIS_URL": redis_url, "REPORTGEN_MAX_HELD_REQUESTS_PER_CALLER": "1000"}
    headers = bearer_token(seeded_data_dir, **variables)
    port = free_port()
    limits = httpx.Limits(max_connections=500)
    # 256 files: fewer than the waits below (each is a connection) without the raise.
    with serving(seeded_data_dir, port, open_files=(256, 4096), **variables) as server:
        raised = open_files(server.pid)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=60
        ) as client:
            job_id = await generate(client, headers)  # no worker: it stays Queued

            async def wait() -> int:
                response = await client.get(f"/api/v1/jobs/{job_id}?wait=5", headers=headers)
                return response.status_code

            answers = await asyncio.gather(*(wait() for _ in range(400)))
    assert raised == (4096, 4096)
    assert answers == [200] * 400, collections.Counter(answers)


def test_a_held_request_whose_client_left_releases_its_hold_at_once(
    seeded_data_dir: Path, redis_url: str
) -> None:
    variables = {"REPORTGEN_REDIS_URL": redis_url, "REPORTGEN_MAX_HELD_REQUESTS_PER_CALLER": "2"}
    headers = bearer_token(seeded_data_dir, **variables)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    auth = headers["Authorization"]
    with (
        serving(seeded_data_dir, port, **variables),
        httpx.Client(base_url=base, headers=headers, timeout=30) as client,
    ):
        job_id = client.post("/api/v1/reports/report-123/generate").json()["jobId"]  # Queued
        requests = [
            f"GET /api/v1/jobs/{job_id}?wait=30 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: {auth}\r\n\r\n",
            "POST /api/v1/reports/report-123/generate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: {auth}\r\nPrefer: respond-async, wait=30\r\n"
            "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
        ]
        clients = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in requests]
        for connection, request in zip(clients, requests, strict=True):
            connection.sendall(request.encode())
        statuses = "/api/v1/jobs/{job_id}"
        generates = "/api/v1/reports/{report_id}/generate"
        assert eventually(lambda: held(base, statuses) + held(base, generates) == 2, 10)
        refused = client.get(f"/api/v1/jobs/{job_id}?wait=1")  # both holds are taken
        for connection in clients:
            connection.close()  # the clients give up
        left = time.monotonic()
        released = eventually(lambda: held(base, statuses) + held(base, generates) == 0, 10)
        released_after = time.monotonic() - left
        answer = client.get(f"/api/v1/jobs/{job_id}?wait=1")
    assert refused.status_code == 429
    assert released
    assert released_after < 5  # not the 30 s they asked to wait
    assert answer.status_code == 200


def first_event(lines: Iterator[str]) -> str:
    """The data of the stream's first event (the stream is counted once it sends one).
    The caller keeps ``lines``: httpx closes the connection of a line iterator it drops."""
    return next(line for line in lines if line.startswith("data:"))


def test_a_caller_holding_its_most_requests_open_is_refused_more_until_one_ends(
    seeded_data_dir: Path, redis_url: str
) -> None:
    variables = {"REPORTGEN_REDIS_URL": redis_url, "REPORTGEN_MAX_HELD_REQUESTS_PER_CALLER": "2"}
    headers = bearer_token(seeded_data_dir, **variables)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (
        serving(seeded_data_dir, port, **variables),
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        job_id = client.post("/api/v1/reports/report-123/generate", headers=headers).json()["jobId"]
        events = f"/api/v1/jobs/{job_id}/events"
        with client.stream("GET", events, headers=headers) as first:
            first_event(first_lines := first.iter_lines())
            with httpx.stream("GET", base + events, headers=headers, timeout=30) as second:
                first_event(second_lines := second.iter_lines())
                refused = client.get(f"/api/v1/jobs/{job_id}?wait=5", headers=headers)
                assert refused.status_code == 429
                assert "at most 2" in refused.json()["error"]
                assert refused.headers["retry-after"] == "5"
                assert client.get(events, headers=headers).status_code == 429
                started = time.monotonic()
                unheld = client.post(
                    "/api/v1/reports/report-123/generate", headers={**headers, "Prefer": "wait=20"}
                )
                assert unheld.status_code == 202  # created, answered without holding it
                assert "preference-applied" not in unheld.headers
                assert time.monotonic() - started < 5
                assert client.get(f"/api/v1/jobs/{job_id}", headers=headers).status_code == 200
                del first_lines, second_lines
        held = client.get(f"/api/v1/jobs/{job_id}?wait=1", headers=headers)
        assert held.status_code == 200  # the streams ended: their holds are released


@pytest.mark.postgres
async def test_a_waiter_of_the_embedded_mode_on_postgresql_is_woken_through_notify(
    tmp_path: Path, postgres_url: str
) -> None:
    variables = {"REPORTGEN_DATABASE_URL": postgres_url}
    env = clean_env(tmp_path, **variables)
    for command in (("db", "upgrade"), ("demo", "seed")):
        done = reportgen(*command, env=env)
        assert done.returncode == 0, done.stderr
    headers = bearer_token(tmp_path, **variables)
    port = free_port()
    with serving(tmp_path, port, **variables):
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            job_id = await generate(client, headers, format="xlsx")
            started = time.monotonic()
            response = await client.get(f"/api/v1/jobs/{job_id}?wait=30", headers=headers)
            assert response.json()["status"] == "Succeeded"
            assert time.monotonic() - started < 25
            listening = await listeners(postgres_url)
            assert listening == 1  # the API process hears the workers through LISTEN


async def listeners(postgres_url: str) -> int:
    """The connections of the test database that LISTEN."""
    engine = create_engine(postgres_url)
    try:
        async with engine.connect() as connection:
            query = (
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND query LIKE 'LISTEN%'"
            )
            return int(await connection.scalar(sa.text(query)) or 0)
    finally:
        await engine.dispose()
