"""One real ``reportgen serve`` for the client command tests, and ways to run the client."""

import contextlib
import hashlib
import os
import select
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt

from tests.integration.console import REPORTGEN

#: A query that counts for many seconds: its job stays Running until it is cancelled.
SLOW_QUERY = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000000) "
    "SELECT count(*) AS c FROM n"
)
SECRET = "client-tests-secret-that-is-long-enough-for-hs256"
#: A server setting that would stop every server command: the client commands never read it.
BROKEN_SERVER_SETTINGS = {"REPORTGEN_JWT_SECRET": "short", "REPORTGEN_DATABASE_URL": "nonsense"}


@dataclass(frozen=True)
class Service:
    """A running service: where it answers and how to reach it as whom."""

    base_url: str
    data_dir: Path

    def token(self, sub: str, *roles: str, scope: str = "reports:generate") -> str:
        claims = {"sub": sub, "exp": int(time.time()) + 3600, "roles": list(roles), "scope": scope}
        return jwt.encode(claims, SECRET, algorithm="HS256")

    def api(self, token: str) -> httpx.Client:
        """A plain HTTP client of the API, to set the scene and check the client's work."""
        headers = {"Authorization": f"Bearer {token}"}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=10)

    def env(self, token: str | None, **variables: str) -> dict[str, str]:
        """The client's environment: the service's URL, ``token``, and broken server settings."""
        env = {name: v for name, v in os.environ.items() if not name.startswith("REPORTGEN_")}
        env.update(BROKEN_SERVER_SETTINGS, REPORTGEN_URL=self.base_url, **variables)
        if token:
            env["REPORTGEN_TOKEN"] = token
        return env


def client(
    *args: str, env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``reportgen ARGS`` as a client, in pipes, to the end (at most a minute)."""
    return subprocess.run(
        [str(REPORTGEN), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def on_a_terminal(
    *args: str, env: dict[str, str], cwd: Path, seconds: float = 60
) -> tuple[int, str]:
    """Run ``reportgen ARGS`` with a pseudo-terminal as its output; its exit code and output."""
    master, slave = os.openpty()
    process = subprocess.Popen(
        [str(REPORTGEN), *args],
        env={**env, "TERM": "xterm-256color", "COLUMNS": "120"},
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
    )
    os.close(slave)
    output = b""
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the terminal closed: the process has ended
                    break
                if not chunk:
                    break
                output += chunk
            elif process.poll() is not None:
                break
        return process.wait(timeout=10), output.decode(errors="replace")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        os.close(master)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def newest_job(service: Service, token: str) -> dict[str, Any]:
    """The caller's newest job, as the API answers it."""
    with service.api(token) as api:
        jobs: list[dict[str, Any]] = api.get("/api/v1/jobs", params={"limit": 1}).json()["jobs"]
    return jobs[0]


def add_report(service: Service, report_id: str, query: str, **limits: int) -> None:
    """A copy of report-123 with its own query and limits, made by an administrator."""
    admin = service.token("root", scope="reports:admin")
    with service.api(admin) as api:
        body = api.get("/api/v1/reports/report-123").json()
        body.update(id=report_id, query=query, parameters=[], limits=limits or None)
        if not limits:
            del body["limits"]
        answer = api.post("/api/v1/reports", json=body)
    assert answer.status_code == 201, answer.text


@contextlib.contextmanager
def left_running(process: subprocess.Popen[str]) -> Iterator[subprocess.Popen[str]]:
    """Kill ``process`` on the way out if it still runs."""
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
