"""``reportgen serve`` end to end: a real server process on a free port, without Redis."""

import contextlib
import json
import resource
import signal
import socket
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from entrypoints.cli import main
from tests.integration.console import REPORTGEN, clean_env, use_data_dir
from tests.support.processes import descendants, kill_all, wait_until_gone

START_SECONDS = 20
JOB_SECONDS = 20
FINISHED = {"Succeeded", "Failed", "Cancelled"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(
    condition: Callable[[], bool], seconds: float, server: subprocess.Popen[bytes]
) -> bool:
    """Poll ``condition`` until it holds, the time is up or the server has exited."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        with contextlib.suppress(httpx.TransportError):
            if condition():
                return True
        time.sleep(0.1)
    return False


def job_status(base_url: str, job_id: str, token: str) -> str:
    response = httpx.get(
        f"{base_url}/api/v1/jobs/{job_id}", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    response.raise_for_status()
    return str(response.json()["status"])


def open_files_limit(soft: int, hard: int) -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@contextlib.contextmanager
def serving(
    data_dir: Path,
    port: int,
    log_name: str = "serve.log",
    *,
    open_files: tuple[int, int] | None = None,
    **variables: str,
) -> Iterator[subprocess.Popen[bytes]]:
    """``reportgen serve`` answering ``/health``; killed on the way out if still running.

    ``open_files`` is the (soft, hard) limit of open files it starts with. The block
    ends once its embedded workers have gone too (they stop when serve dies, by
    the end of their standard input), so that nothing writes to the data dir afterwards."""
    log = data_dir / log_name
    workers: set[int] = set()
    with log.open("wb") as output:
        server = subprocess.Popen(
            [str(REPORTGEN), "serve", "--port", str(port)],
            env=clean_env(data_dir, **variables),
            stdout=output,
            stderr=subprocess.STDOUT,
            preexec_fn=None if open_files is None else lambda: open_files_limit(*open_files),
        )
    try:
        live = wait_for(
            lambda: httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200,
            START_SECONDS,
            server,
        )
        assert live, f"reportgen serve did not answer /health:\n{log.read_text()}"
        workers.update(descendants(server.pid))
        yield server
    finally:
        if server.poll() is None:
            workers.update(descendants(server.pid))
            server.kill()
        server.wait(timeout=10)
        kill_all(wait_until_gone(workers, 20))


@pytest.fixture
def seeded_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    use_data_dir(monkeypatch, tmp_path)
    assert main(["db", "upgrade"]) == 0
    assert main(["demo", "seed"]) == 0
    capsys.readouterr()
    return tmp_path


def test_serve_runs_a_requested_report_to_success_and_stops_on_sigterm(
    seeded_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "--sub", "alice", "--role", "analyst"]) == 0
    token = capsys.readouterr().out.strip()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = seeded_data_dir / "serve.log"

    with serving(seeded_data_dir, port) as server:
        ready = httpx.get(f"{base_url}/health/ready", timeout=5)
        accepted = httpx.post(
            f"{base_url}/api/v1/reports/report-123/generate",
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        job_id = accepted.json()["jobId"]
        finished = wait_for(
            lambda: job_status(base_url, job_id, token) in FINISHED, JOB_SECONDS, server
        )
        final_status = job_status(base_url, job_id, token)
        server.send_signal(signal.SIGTERM)
        exit_code = server.wait(timeout=15)

    assert ready.status_code == 200
    assert accepted.status_code == 202
    status_url = f"{base_url}/api/v1/jobs/{job_id}"
    assert accepted.json()["statusUrl"] == status_url
    assert accepted.headers["location"] == status_url
    assert finished, log.read_text()
    assert final_status == "Succeeded", log.read_text()
    # uvicorn shuts down cleanly, then re-raises the signal it caught (uvicorn >= 0.29).
    assert exit_code in (0, -signal.SIGTERM)
    assert "Application shutdown complete." in log.read_text()


def job_records(data_dir: Path) -> dict[str, tuple[str, int]]:
    """Each job's status and attempts, read from the database file itself."""
    with contextlib.closing(sqlite3.connect(data_dir / "reportgen.sqlite3")) as database:
        rows = database.execute('SELECT job_id, status, attempts FROM "JobExecutionLog"')
        return {job_id: (status, attempts) for job_id, status, attempts in rows}


def test_every_job_accepted_before_a_kill_9_succeeds_once_serve_is_back(
    seeded_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "--sub", "alice", "--role", "analyst"]) == 0
    token = capsys.readouterr().out.strip()
    headers = {"Authorization": f"Bearer {token}"}
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    # A short lease and sweep, so that a job whose runner died is taken up within seconds.
    knobs = {
        "REPORTGEN_JOB_LEASE_SECONDS": "2",
        "REPORTGEN_JOB_HEARTBEAT_SECONDS": "0.2",
        "REPORTGEN_SWEEP_INTERVAL_SECONDS": "1",
    }

    with serving(seeded_data_dir, port, "first.log", **knobs) as server:
        accepted = [
            httpx.post(f"{base_url}/api/v1/reports/report-123/generate", headers=headers, timeout=5)
            for _ in range(6)
        ]
        job_ids = [answer.json()["jobId"] for answer in accepted]
        running = wait_for(
            lambda: any(job_status(base_url, job_id, token) == "Running" for job_id in job_ids),
            JOB_SECONDS,
            server,
        )
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
    at_the_kill = job_records(seeded_data_dir)

    with serving(seeded_data_dir, port, "second.log", **knobs) as server:
        all_finished = wait_for(
            lambda: all(job_status(base_url, job_id, token) in FINISHED for job_id in job_ids),
            60,
            server,
        )
    after = job_records(seeded_data_dir)

    assert [answer.status_code for answer in accepted] == [202] * 6
    assert running
    assert set(at_the_kill) == set(job_ids)  # every 202 was on disk when the process died
    # Cut off mid-run: a worker of the dead serve handed the job back (Queued), or left it
    # Running for the sweep; either way it had started and not ended.
    cut_off = [
        job_id
        for job_id, (status, attempts) in at_the_kill.items()
        if status not in FINISHED and attempts >= 1
    ]
    assert cut_off, at_the_kill
    assert all_finished, (seeded_data_dir / "second.log").read_text()[-3000:]
    assert {status for status, _ in after.values()} == {"Succeeded"}
    assert all(after[job_id][1] == 2 for job_id in cut_off)  # run again, from the start


@pytest.mark.parametrize(
    ("setting", "logged"), [({}, False), ({"REPORTGEN_ACCESS_LOG": "true"}, True)]
)
def test_serve_logs_each_request_only_when_the_access_log_is_on(
    seeded_data_dir: Path, setting: dict[str, str], logged: bool
) -> None:
    port = free_port()
    with serving(seeded_data_dir, port, **setting) as server:
        httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=5)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=15)

    output = (seeded_data_dir / "serve.log").read_text()
    lines = [json.loads(line) for line in output.splitlines()]  # JSON: not a terminal
    assert "Application shutdown complete." in [line["message"] for line in lines]
    access = [line for line in lines if '"GET /health/ready HTTP/1.1" 200' in line["message"]]
    assert bool(access) is logged, output
    assert all(line["request_id"] for line in access)  # the answer's X-Request-ID
