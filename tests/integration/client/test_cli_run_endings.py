"""``reportgen run`` when the job does not give a good file: failed, cancelled, tampered,
too slow, interrupted; each with its exit code and one line."""

import signal
import subprocess
import time
from pathlib import Path

from tests.integration.client.service import (
    SLOW_QUERY,
    Service,
    add_report,
    client,
    left_running,
    newest_job,
)
from tests.integration.console import REPORTGEN


def test_a_failed_job_exits_1_with_its_error(service: Service, tmp_path: Path) -> None:
    add_report(service, "capped-sales", "SELECT * FROM sales", maxRows=10)
    token = service.token("failing", "analyst")

    run = client("run", "capped-sales", env=service.env(token), cwd=tmp_path)

    assert run.returncode == 1
    job_id = newest_job(service, token)["jobId"]
    assert run.stderr.splitlines()[-1] == (
        f"reportgen: job {job_id} failed: The report has more than 10 rows, its limit."
    )
    assert list(tmp_path.iterdir()) == []


def test_a_job_cancelled_while_it_runs_exits_1(service: Service, tmp_path: Path) -> None:
    add_report(service, "slow-count", SLOW_QUERY)
    token = service.token("canceller", "analyst")
    env = service.env(token)
    process = subprocess.Popen(
        [str(REPORTGEN), "run", "slow-count", "--timeout", "60"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    with left_running(process):
        assert process.stderr is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "Running" not in process.stderr.readline():
            pass
        job_id = newest_job(service, token)["jobId"]
        cancel = client("jobs", "cancel", job_id, env=env)
        _, errors = process.communicate(timeout=30)

    assert cancel.returncode == 0, cancel.stderr
    assert process.returncode == 1
    assert errors.splitlines()[-1] == f"reportgen: job {job_id} was cancelled."
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_does_not_match_its_checksum_exits_5_and_is_not_kept(
    service: Service, tmp_path: Path
) -> None:
    token = service.token("checksum", "analyst")
    env = service.env(token)
    first = client(
        "run",
        "report-123",
        "--param",
        "region=East",
        "--idempotency-key",
        "east-1",
        "-o",
        "a.csv",
        env=env,
        cwd=tmp_path,
    )
    job_id = newest_job(service, token)["jobId"]
    [stored] = [p for p in (service.data_dir / "results").rglob("*") if job_id in p.name]
    stored.write_bytes(stored.read_bytes().replace(b"East", b"West"))

    again = client(
        "run",
        "report-123",
        "--param",
        "region=East",
        "--idempotency-key",
        "east-1",
        "-o",
        "b.csv",
        env=env,
        cwd=tmp_path,
    )

    assert first.returncode == 0, first.stderr
    assert again.returncode == 5
    assert newest_job(service, token)["jobId"] == job_id  # the same job, by its key
    assert again.stderr.splitlines()[-1].startswith("reportgen: The downloaded file's SHA-256 is ")
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]


def test_a_run_that_does_not_end_in_time_exits_4(service: Service, tmp_path: Path) -> None:
    add_report(service, "slow-timeout", SLOW_QUERY)
    token = service.token("impatient", "analyst")

    run = client("run", "slow-timeout", "--timeout", "2", env=service.env(token), cwd=tmp_path)
    with service.api(token) as api:
        api.delete(f"/api/v1/jobs/{newest_job(service, token)['jobId']}")

    assert run.returncode == 4
    assert run.stderr.splitlines()[-1].startswith("reportgen: Job ")
    assert "did not end within" in run.stderr


def test_an_interrupted_run_exits_130_and_says_how_to_cancel_the_job(
    service: Service, tmp_path: Path
) -> None:
    add_report(service, "slow-interrupt", SLOW_QUERY)
    token = service.token("interrupter", "analyst")
    process = subprocess.Popen(
        [str(REPORTGEN), "run", "slow-interrupt", "--timeout", "60"],
        env=service.env(token),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    with left_running(process):
        assert process.stderr is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "Running" not in process.stderr.readline():
            pass
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=30)
    job_id = newest_job(service, token)["jobId"]
    cancelled = client("jobs", "cancel", job_id, env=service.env(token))

    assert process.returncode == 130
    assert errors.splitlines()[-1] == (
        f"reportgen: interrupted: job {job_id} goes on; 'reportgen jobs cancel {job_id}' stops it."
    )
    assert cancelled.returncode == 0  # it was still running
