"""``reportgen serve`` without Redis, as real processes: the API never runs a job, the
embedded worker processes serve starts do; serve restarts one that dies, stops them with
itself, and none outlives it, even when serve is killed."""

import contextlib
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from entrypoints.cli import main
from tests.integration.console import REPORTGEN, clean_env, use_data_dir
from tests.integration.test_cli_serve import free_port, job_records
from tests.support.polling import eventually
from tests.support.processes import (
    alive,
    descendants,
    embedded_workers,
    kill_all,
    wait_until_gone,
)

START_SECONDS = 30
JOB_SECONDS = 60
SMALL = {"parameters": {"region": "North", "start_date": "2025-06-02", "end_date": "2025-06-02"}}
#: A short lease and sweep: a job whose worker died is taken up again within seconds.
QUICK_RECOVERY = {
    "REPORTGEN_JOB_LEASE_SECONDS": "3",
    "REPORTGEN_JOB_HEARTBEAT_SECONDS": "0.2",
    "REPORTGEN_SWEEP_INTERVAL_SECONDS": "1",
}


@contextlib.contextmanager
def started(
    command: list[str], data_dir: Path, log_name: str, **variables: str
) -> Iterator[subprocess.Popen[bytes]]:
    """``command`` running with the data dir's environment; it and every process it started
    are killed on the way out, whatever happened."""
    seen: set[int] = set()
    with (data_dir / log_name).open("wb") as log:
        process = subprocess.Popen(
            command,
            env=clean_env(data_dir, **variables),
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    process.descendants_seen = seen  # type: ignore[attr-defined]
    try:
        yield process
    finally:
        seen.update(descendants(process.pid))
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        kill_all(seen)


def watch(process: subprocess.Popen[bytes]) -> list[int]:
    """The processes below ``process`` now (remembered for the cleanup)."""
    found = descendants(process.pid)
    process.descendants_seen.update(found)  # type: ignore[attr-defined]
    return found


def serve_command(port: int, workers: int = 1) -> list[str]:
    return [str(REPORTGEN), "serve", "--port", str(port), "--workers", str(workers)]


def ready(base_url: str) -> bool:
    return httpx.get(f"{base_url}/health/ready", timeout=2).status_code == 200


def log_of(data_dir: Path, name: str) -> str:
    return (data_dir / name).read_text()[-4000:]


@pytest.fixture
def seeded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, str]:
    """A migrated, seeded data dir, and an analyst's token."""
    use_data_dir(monkeypatch, tmp_path)
    assert main(["db", "upgrade"]) == 0
    assert main(["demo", "seed"]) == 0
    assert main(["token", "--sub", "alice", "--role", "analyst"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    return tmp_path, token


def generate(base_url: str, token: str, body: dict[str, object] | None = None) -> str:
    response = httpx.post(
        f"{base_url}/api/v1/reports/report-123/generate",
        headers={"Authorization": f"Bearer {token}"},
        json=body,
        timeout=10,
    )
    assert response.status_code == 202, response.text
    return str(response.json()["jobId"])


def statuses(data_dir: Path, job_ids: list[str]) -> list[str]:
    records = job_records(data_dir)
    return [records[job_id][0] for job_id in job_ids]


def test_a_job_cut_off_by_a_killed_worker_runs_again_and_every_job_succeeds_once(
    seeded: tuple[Path, str],
) -> None:
    data_dir, token = seeded
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    knobs = {**QUICK_RECOVERY, "REPORTGEN_EMBEDDED_CONCURRENCY": "1"}

    with started(serve_command(port), data_dir, "serve.log", **knobs) as server:
        assert eventually(lambda: ready(base_url), START_SECONDS), log_of(data_dir, "serve.log")
        [first_worker] = embedded_workers(server.pid)
        job_ids = [generate(base_url, token) for _ in range(3)]
        assert eventually(lambda: "Running" in statuses(data_dir, job_ids), JOB_SECONDS)
        server.descendants_seen.add(first_worker)  # type: ignore[attr-defined]
        subprocess.run(["kill", "-KILL", str(first_worker)], check=True)
        at_the_kill = job_records(data_dir)

        restarted = eventually(
            lambda: bool(set(embedded_workers(server.pid)) - {first_worker}), START_SECONDS
        )
        watch(server)
        finished = eventually(
            lambda: set(statuses(data_dir, job_ids)) == {"Succeeded"}, JOB_SECONDS
        )
        log = log_of(data_dir, "serve.log")

    cut_off = [job_id for job_id in job_ids if at_the_kill[job_id][0] == "Running"]
    after = job_records(data_dir)
    assert restarted, log
    assert f"(pid {first_worker}) exited (signal SIGKILL); restarting it" in log
    assert len(cut_off) == 1, at_the_kill
    assert finished, log
    assert {job_id: after[job_id] for job_id in job_ids} == {
        job_id: ("Succeeded", 2 if job_id in cut_off else 1) for job_id in job_ids
    }


def test_sigterm_stops_serve_its_api_processes_and_its_workers(
    seeded: tuple[Path, str],
) -> None:
    data_dir, _ = seeded
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"

    with started(
        serve_command(port, workers=2), data_dir, "serve.log", REPORTGEN_EMBEDDED_WORKERS="2"
    ) as server:
        assert eventually(lambda: ready(base_url), START_SECONDS), log_of(data_dir, "serve.log")
        below = watch(server)
        workers = embedded_workers(server.pid)
        server.send_signal(signal.SIGTERM)
        exit_code = server.wait(timeout=30)
        left = wait_until_gone(below, 10)

    assert len(workers) == 2
    assert len(below) >= 4  # two API processes, two embedded workers (and arq's tracker)
    assert exit_code == 0
    assert left == []
    assert "The embedded job workers stopped." in log_of(data_dir, "serve.log")


def test_no_worker_outlives_serve_killed_with_sigkill(seeded: tuple[Path, str]) -> None:
    data_dir, _ = seeded
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"

    with started(serve_command(port), data_dir, "serve.log") as server:
        assert eventually(lambda: ready(base_url), START_SECONDS), log_of(data_dir, "serve.log")
        workers = embedded_workers(server.pid)
        watch(server)
        server.kill()
        server.wait(timeout=10)
        left = wait_until_gone(workers, 10)

    assert len(workers) == 1
    assert left == []


def test_the_api_runs_no_job_they_wait_queued_until_a_worker_runs(
    seeded: tuple[Path, str],
) -> None:
    data_dir, token = seeded
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    api = [
        sys.executable, "-m", "uvicorn", "--factory", "entrypoints.asgi:app_from_env",
        "--port", str(port),
    ]  # fmt: skip
    worker = [sys.executable, "-m", "entrypoints.embedded_worker", "--number", "0"]

    with started(api, data_dir, "api.log"):
        assert eventually(
            lambda: httpx.get(f"{base_url}/health", timeout=2).status_code == 200, START_SECONDS
        )
        job_ids = [generate(base_url, token, SMALL) for _ in range(3)]
        alone = httpx.get(f"{base_url}/health/ready", timeout=5)
        time.sleep(1)  # twenty poll intervals: a runner in the API would have taken them
        waiting = statuses(data_dir, job_ids)
        with started(worker, data_dir, "worker.log") as running:
            finished = eventually(
                lambda: set(statuses(data_dir, job_ids)) == {"Succeeded"}, JOB_SECONDS
            )
            served = ready(base_url)
            running.send_signal(signal.SIGTERM)
            worker_exit = running.wait(timeout=15)

    assert alone.status_code == 503
    assert alone.json()["checks"]["scheduler"] == "No embedded job worker is running."
    assert waiting == ["Queued"] * 3
    assert finished, log_of(data_dir, "worker.log")
    assert served
    assert worker_exit == 0


def test_a_worker_stops_when_its_standard_input_ends(seeded: tuple[Path, str]) -> None:
    data_dir, _ = seeded
    worker = [sys.executable, "-m", "entrypoints.embedded_worker", "--number", "0"]

    with started(worker, data_dir, "worker.log") as running:
        assert eventually(lambda: "running (pid" in log_of(data_dir, "worker.log"), START_SECONDS)
        assert running.stdin is not None
        running.stdin.close()  # what happens when serve dies, however it dies
        exit_code = running.wait(timeout=15)

    assert exit_code == 0
    assert alive(running.pid) is False


@pytest.mark.parametrize(
    ("arguments", "variables", "message"),
    [
        (["--number", "1"], {}, "--number must be from 0 to REPORTGEN_EMBEDDED_WORKERS - 1 (0)"),
        (
            [],
            {"REPORTGEN_REDIS_URL": "redis://127.0.0.1:6379/11"},
            "jobs run in `reportgen worker`",
        ),
        ([], {"REPORTGEN_EMBEDDED_WORKERS": "none"}, "REPORTGEN_EMBEDDED_WORKERS must be"),
    ],
)
def test_a_worker_with_bad_settings_ends_with_one_clear_line(
    tmp_path: Path, arguments: list[str], variables: dict[str, str], message: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "entrypoints.embedded_worker", *arguments],
        env=clean_env(tmp_path, **variables),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 2
    assert message in done.stderr
