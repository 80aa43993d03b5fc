"""``reportgen`` logs JSON lines or text, as ``REPORTGEN_LOG_FORMAT`` says."""

import json
from pathlib import Path

from tests.integration.console import clean_env, reportgen


def test_json_format_makes_every_log_line_a_json_object(tmp_path: Path) -> None:
    run = reportgen("db", "upgrade", env=clean_env(tmp_path, REPORTGEN_LOG_FORMAT="json"))

    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stderr.splitlines()]
    assert lines, "db upgrade logs its migrations"
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    assert any(line["message"].startswith("Running upgrade") for line in lines)


def test_text_format_writes_readable_lines(tmp_path: Path) -> None:
    run = reportgen("db", "upgrade", env=clean_env(tmp_path, REPORTGEN_LOG_FORMAT="text"))

    assert run.returncode == 0, run.stderr
    assert " INFO alembic.runtime.migration Running upgrade" in run.stderr
    assert not any(line.startswith("{") for line in run.stderr.splitlines())


def test_the_log_level_hides_the_lines_below_it(tmp_path: Path) -> None:
    env = clean_env(tmp_path, REPORTGEN_LOG_FORMAT="json", REPORTGEN_LOG_LEVEL="warning")

    run = reportgen("db", "upgrade", env=env)

    assert run.returncode == 0, run.stderr
    assert run.stderr == ""


def test_a_bad_log_format_stops_the_program_with_one_line_naming_it(tmp_path: Path) -> None:
    run = reportgen("db", "upgrade", env=clean_env(tmp_path, REPORTGEN_LOG_FORMAT="xml"))

    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "reportgen: REPORTGEN_LOG_FORMAT must be one of auto, json, text."
    ]
