"""``reportgen run`` against a real ``reportgen serve``: progress, download, refusals."""

from pathlib import Path

import pytest

from tests.integration.client.service import (
    Service,
    client,
    newest_job,
    on_a_terminal,
    sha256,
)
from tests.integration.test_cli_serve import free_port


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
