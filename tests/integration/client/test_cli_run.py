"""``reportgen run`` against a real ``reportgen serve``: progress, download, and every failure."""

import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.integration.client.service import (
    Service,
    add_report,
    client,
    left_running,
    newest_job,
    on_a_terminal,
    sha256,
)
from tests.integration.console import REPORTGEN
from tests.integration.test_cli_serve import free_port

#: A query that counts for many seconds: its job stays Running until it is cancelled.
SLOW_QUERY = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000000) "
    "SELECT count(*) AS c FROM n"
)


def test_run_in_a_pipe_prints_plain_progress_lines_and_the_checked_file(
    service: Service, tmp_path: Path
) -> None:
    token = service.token("pipe-user", "analyst")
    target = tmp_path / "north.csv"

    run = client(
        "run", "report-123", "--param", "region=North", "-o", str(target), env=service.env(token)
    )

    assert run.returncode == 0, run.stderr
    assert run.stdout == f"{target}\n"
    job = newest_job(service, token)
    assert job["status"] == "Succeeded"
    assert sha256(target) == job["result"]["sha256"]
    lines = run.stderr.splitlines()
    assert (
        lines[-1] == f"job {job['jobId'][:8]}…: Succeeded, {job['result']['rowCount']} rows, 100%"
    )
    assert all(line.startswith(f"job {job['jobId'][:8]}…: ") for line in lines)
    assert "\x1b[" not in run.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["north.csv"]


def test_run_saves_under_the_servers_file_name_by_default(service: Service, tmp_path: Path) -> None:
    token = service.token("default-name", "analyst")

    run = client("run", "report-123", "--format", "json", env=service.env(token), cwd=tmp_path)

    assert run.returncode == 0, run.stderr
    name = newest_job(service, token)["result"]["fileName"]
    assert run.stdout == f"{tmp_path / name}\n"
    assert (tmp_path / name).read_text().startswith("[")


def test_run_on_a_terminal_shows_a_progress_bar(service: Service, tmp_path: Path) -> None:
    token = service.token("terminal-user", "analyst")

    code, output = on_a_terminal(
        "run", "report-123", "-o", "all.csv", env=service.env(token), cwd=tmp_path
    )

    assert code == 0, output
    assert "\x1b[" in output  # drawn, not printed line by line
    assert "━" in output  # the bar
    assert "Succeeded" in output
    assert "100%" in output
    assert str(tmp_path / "all.csv") in output
    assert sha256(tmp_path / "all.csv") == newest_job(service, token)["result"]["sha256"]


REFUSED = {
    "bad-token": ((), "not-a-token", ["report-123"], "HTTP 401"),
    "no-role": ((), None, ["report-123"], "HTTP 403"),
    "unknown-report": (("analyst",), None, ["no-such-report"], "HTTP 404"),
    "sync-report": (("analyst",), None, ["report-456"], "HTTP 409"),
    "bad-parameter": (("analyst",), None, ["report-123", "--param", "start_date=soon"], "HTTP 422"),
}


@pytest.mark.parametrize(("roles", "token", "args", "words"), REFUSED.values(), ids=REFUSED.keys())
def test_a_refused_run_exits_3_with_one_line(
    service: Service,
    tmp_path: Path,
    roles: tuple[str, ...],
    token: str | None,
    args: list[str],
    words: str,
) -> None:
    bearer = token or service.token("refused", *roles)

    run = client("run", *args, env=service.env(bearer), cwd=tmp_path)

    assert run.returncode == 3
    [line] = run.stderr.splitlines()
    assert line.startswith("reportgen: ")
    assert line.endswith(f"({words})")
    assert run.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_a_run_without_a_reachable_server_exits_4(service: Service, tmp_path: Path) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"

    run = client("run", "report-123", "--url", nowhere, env=service.env("t"), cwd=tmp_path)

    assert run.returncode == 4
    [line] = run.stderr.splitlines()
    assert line.startswith(f"reportgen: Cannot reach {nowhere}")


def test_a_run_without_a_token_exits_2(service: Service, tmp_path: Path) -> None:
    run = client("run", "report-123", env=service.env(None), cwd=tmp_path)

    assert run.returncode == 2
    assert run.stderr == "reportgen: no token: pass --token or set REPORTGEN_TOKEN.\n"


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
        [str(REPORTGEN), "run", "slow-count"],
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
        [str(REPORTGEN), "run", "slow-interrupt"],
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
