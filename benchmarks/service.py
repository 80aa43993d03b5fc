"""The service as a user starts it, for the benchmarks: a fresh data dir, migrated and seeded,
and ``reportgen serve`` on a free port of 127.0.0.1 until the block ends."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Service:
    """A running ``reportgen serve``: where it answers, its environment, an analyst's token."""

    base_url: str
    env: dict[str, str]
    token: str
    data_dir: Path


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def reportgen(*args: str, env: dict[str, str]) -> str:
    """Run one ``reportgen`` command; its output."""
    done = subprocess.run(
        [str(BIN / "reportgen"), *args], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


@contextmanager
def running_service(
    *,
    database_url: str | None = None,
    redis_url: str | None = None,
    workers: int = 1,
    log: Path | None = None,
    variables: dict[str, str] | None = None,
) -> Iterator[Service]:
    """``reportgen serve`` on a fresh data dir (SQLite unless ``database_url``, the embedded
    workers unless ``redis_url``; ``variables`` set knobs), ready when the block starts,
    stopped when it ends."""
    with tempfile.TemporaryDirectory() as data_dir:
        env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTGEN_")}
        env["REPORTGEN_DATA_DIR"] = data_dir
        # The benchmark's one caller asks far more than any integration: no per-caller limits.
        env["REPORTGEN_GENERATE_RATE_PER_MINUTE"] = "0"
        env["REPORTGEN_MAX_UNFINISHED_JOBS_PER_CALLER"] = "0"
        if database_url:
            env["REPORTGEN_DATABASE_URL"] = database_url
        if redis_url:
            env["REPORTGEN_REDIS_URL"] = redis_url
        env.update(variables or {})
        reportgen("db", "upgrade", env=env)
        reportgen("demo", "seed", env=env)
        token = reportgen("token", "--sub", "bench", "--role", "analyst", "--ttl", "86400", env=env)
        port = free_port()
        output = log.open("w") if log else subprocess.DEVNULL
        command = [str(BIN / "reportgen"), "serve", "--port", str(port), "--workers", str(workers)]
        server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_answering(f"{base_url}/health/ready")
            yield Service(base_url, env, token, Path(data_dir))
        finally:
            server.terminate()
            server.wait(timeout=30)


@contextmanager
def running_worker(service: Service, log: Path | None = None) -> Iterator[None]:
    """One ``reportgen worker`` (arq, on the service's Redis) while the block runs."""
    output = log.open("w") if log else subprocess.DEVNULL
    worker = subprocess.Popen(
        [str(BIN / "reportgen"), "worker"], env=service.env, stdout=output, stderr=subprocess.STDOUT
    )
    try:
        yield
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def _wait_until_answering(url: str, deadline_seconds: float = 60) -> None:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


@contextmanager
def running_flower(celery: Path, broker_url: str) -> Iterator[str]:
    """Celery Flower (from the virtualenv of the ``celery`` executable, where Celery with
    Redis and Flower are installed) on a free port, serving ``benchmarks.flower_peer``;
    its base URL while the block runs."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("REPORTGEN_")},
        "FLOWER_UNAUTHENTICATED_API": "true",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    command = [
        str(celery), "-A", "benchmarks.flower_peer", f"--broker={broker_url}",
        "flower", "--address=127.0.0.1", f"--port={port}",
    ]  # fmt: skip
    flower = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(f"{base_url}/healthcheck")
        yield base_url
    finally:
        flower.terminate()
        try:
            flower.wait(timeout=10)
        except subprocess.TimeoutExpired:  # Flower does not always stop on SIGTERM
            flower.kill()
            flower.wait(timeout=10)
