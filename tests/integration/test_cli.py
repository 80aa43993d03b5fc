"""The ``reportgen`` command line: the installed script as a process, and ``main`` in-process."""

import sqlite3
import stat
import time
from pathlib import Path

import jwt
import pytest

from entrypoints.cli import main
from tests.integration.console import REPORTGEN, clean_env, reportgen, use_data_dir


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    use_data_dir(monkeypatch, tmp_path)
    return tmp_path


def test_the_console_script_is_installed_next_to_the_interpreter() -> None:
    assert REPORTGEN.is_file()


def test_db_upgrade_and_demo_seed_are_safe_to_run_again(tmp_path: Path) -> None:
    env = clean_env(tmp_path)

    upgrades = [reportgen("db", "upgrade", env=env) for _ in range(2)]
    seeds = [reportgen("demo", "seed", env=env) for _ in range(2)]

    assert [run.returncode for run in upgrades + seeds] == [0, 0, 0, 0], seeds[-1].stderr
    assert all("up to date" in run.stdout for run in upgrades)
    assert "3 report(s) added" in seeds[0].stdout
    assert "0 report(s) added" in seeds[1].stdout
    with sqlite3.connect(tmp_path / "reportgen.sqlite3") as database:
        rows = database.execute(
            'SELECT report_id, delivery_targets FROM "ReportConfiguration" ORDER BY report_id'
        ).fetchall()
        trail = database.execute('SELECT action, actor FROM "ReportHistory"').fetchall()
    assert len(trail) == 3  # through the same use case as POST /api/v1/reports
    assert {action for action, _ in trail} == {"created"}
    assert all(actor.startswith("operator:") for _, actor in trail)
    targets = dict(rows)
    assert list(targets) == ["report-123", "report-456", "report-789"]
    assert '"channel": "api_response", "mode": "async"' in targets["report-123"]
    assert '"channel": "api_response", "mode": "sync"' in targets["report-456"]
    assert '"channel": "email"' in targets["report-789"]


def test_token_prints_a_jwt_signed_with_the_secret_generated_in_the_data_dir(
    tmp_path: Path,
) -> None:
    run = reportgen("token", "--sub", "alice", "--role", "analyst", env=clean_env(tmp_path))

    assert run.returncode == 0, run.stderr
    secret_file = tmp_path / "jwt-secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    [token] = run.stdout.splitlines()
    claims = jwt.decode(token, secret_file.read_text().strip(), algorithms=["HS256"])
    assert claims["sub"] == "alice"
    assert claims["roles"] == ["analyst"]
    assert claims["scope"] == "reports:generate"
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["exp"] > time.time()


def test_token_puts_every_given_scope_into_the_scope_claim(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["token", "--sub", "bob", "--scope", "reports:admin reports:generate", "--ttl", "60"]

    assert main(argv) == 0

    secret = (data_dir / "jwt-secret").read_text().strip()
    claims = jwt.decode(capsys.readouterr().out.strip(), secret, algorithms=["HS256"])
    assert claims["scope"] == "reports:admin reports:generate"
    assert claims["roles"] == []
    assert claims["exp"] - claims["iat"] == 60


def test_token_refuses_a_lifetime_beyond_the_longest_allowed(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "--sub", "bob", "--ttl", "86401"]) != 0

    assert "REPORTGEN_JWT_MAX_LIFETIME_SECONDS" in capsys.readouterr().err


def test_db_upgrade_in_process_creates_the_schema(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade"]) == 0

    assert "up to date" in capsys.readouterr().out
    with sqlite3.connect(data_dir / "reportgen.sqlite3") as database:
        tables = {name for (name,) in database.execute("SELECT name FROM sqlite_master")}
    assert {"ReportConfiguration", "JobExecutionLog"} <= tables


def test_a_bad_setting_stops_the_program_with_one_line_naming_the_variable(
    tmp_path: Path,
) -> None:
    env = clean_env(tmp_path, REPORTGEN_JWT_SECRET="short")

    run = reportgen("token", "--sub", "alice", env=env)

    assert run.returncode == 2
    [line] = run.stderr.splitlines()
    assert line.startswith("reportgen: REPORTGEN_JWT_SECRET")
    assert run.stdout == ""


@pytest.mark.parametrize(
    "argv",
    [
        ["db", "upgrade"],
        ["demo", "seed"],
        ["serve", "--port", "1"],
        ["worker"],
        ["token", "--sub", "alice"],
    ],
)
def test_every_command_refuses_to_start_on_a_bad_setting(
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    monkeypatch.setenv("REPORTGEN_PUBLIC_BASE_URL", "ftp://reports.example.com")

    assert main(argv) == 2

    output = capsys.readouterr()
    assert output.err.splitlines() == [
        "reportgen: REPORTGEN_PUBLIC_BASE_URL must be an absolute http(s) URL "
        "without query or fragment."
    ]
    assert output.out == ""
    assert list(data_dir.iterdir()) == []


def test_worker_without_a_redis_url_exits_2_naming_the_variable(tmp_path: Path) -> None:
    run = reportgen("worker", env=clean_env(tmp_path))

    assert run.returncode == 2
    [line] = run.stderr.splitlines()
    assert "REPORTGEN_REDIS_URL" in line
    assert "Traceback" not in run.stderr


def test_a_worker_whose_redis_does_not_answer_ends_with_one_clear_line(tmp_path: Path) -> None:
    env = clean_env(tmp_path, REPORTGEN_REDIS_URL="redis://:secret-pw@127.0.0.1:1/0")

    done = reportgen("worker", env=env)

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "reportgen: Redis (REPORTGEN_REDIS_URL) does not answer; the worker cannot start."
    )
    assert "secret-pw" not in done.stderr + done.stdout
