"""What the service writes to disk is its user's alone, whatever the umask lets through."""

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.console import clean_env, reportgen
from tests.integration.test_cli_serve import JOB_SECONDS, free_port, job_status, serving, wait_for


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """A umask that lets group and others read: the modes must come from the service."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("permissive_umask")
def test_data_results_database_and_secret_are_private_to_the_service_user(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "var"
    env = clean_env(data_dir)
    for command in (["db", "upgrade"], ["demo", "seed"]):
        assert reportgen(*command, env=env).returncode == 0
    issued = reportgen("token", "--sub", "alice", "--role", "analyst", env=env)
    token = issued.stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"

    with serving(data_dir, port, log_name="../serve.log") as server:
        accepted = httpx.post(
            f"{base_url}/api/v1/reports/report-123/generate",
            headers=headers,
            json={"parameters": {"region": "North"}},
            timeout=5,
        )
        job_id = accepted.json()["jobId"]
        succeeded = wait_for(
            lambda: job_status(base_url, job_id, token) == "Succeeded", JOB_SECONDS, server
        )

    assert succeeded, (tmp_path / "serve.log").read_text()[-3000:]
    created = sorted(data_dir.rglob("*"))
    assert data_dir / "results" in created
    assert any(path.name.startswith(job_id) for path in created)
    assert (
        data_dir / "reportgen.sqlite3-wal" in created or (data_dir / "reportgen.sqlite3").is_file()
    )
    assert mode(data_dir) == 0o700
    wrong = {
        str(path.relative_to(data_dir)): oct(mode(path))
        for path in created
        if mode(path) != (0o700 if path.is_dir() else 0o600)
    }
    assert wrong == {}
