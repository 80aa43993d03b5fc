"""The README's command line and Python client examples, run as written against a service."""

import re
import subprocess
import sys
from pathlib import Path

from tests.integration.client.service import SECRET, Service, newest_job, sha256
from tests.integration.console import REPORTGEN

README = Path(__file__).parents[3] / "README.md"


def example(heading: str, language: str) -> str:
    """The first ``language`` code block after ``heading`` in the README."""
    section = README.read_text().split(f"\n{heading}\n", 1)[1]
    found = re.search(rf"```{language}\n(.*?)```", section, re.DOTALL)
    assert found, f"no {language} block under {heading}"
    return found.group(1)


def test_the_readmes_command_line_example_runs_as_written(service: Service, tmp_path: Path) -> None:
    script = example("## Command line client", "sh").replace(".venv/bin/reportgen", str(REPORTGEN))
    env = {
        **service.env(None),
        "REPORTGEN_DATA_DIR": str(service.data_dir),  # for `reportgen token`: the service's key
        "REPORTGEN_JWT_SECRET": SECRET,
        "REPORTGEN_DATABASE_URL": f"sqlite+aiosqlite:///{service.data_dir}/reportgen.sqlite3",
    }

    run = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == str(tmp_path / "north.csv")
    assert " report-123 " in lines[1]
    assert "report:      report-123" in run.stdout
    assert (tmp_path / "north.csv").read_text().startswith("id,sale_date,region")


def test_the_readmes_python_example_runs_as_written(service: Service, tmp_path: Path) -> None:
    token = service.token("alice-python", "analyst")

    run = subprocess.run(
        [sys.executable, "-c", example("## Python client", "python")],
        env=service.env(token),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert run.returncode == 0, run.stderr
    assert sha256(tmp_path / "north.csv") == newest_job(service, token)["result"]["sha256"]
    assert "Succeeded" in run.stdout
    assert "409 Report is not configured for asynchronous generation." in run.stdout
