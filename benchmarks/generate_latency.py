"""Latency of ``POST /api/v1/reports/{id}/generate`` against a real ``reportgen serve``.

Starts the server in a subprocess on a fresh data dir (the embedded default, or
PostgreSQL and Redis when their URLs are given), sends ``--requests`` generate
calls (a one-day, one-region report) ``--concurrency`` at a time from one client
process, and prints P50, P95, P99 and the throughput. The same run measures
``GET /health`` the same way, so the ratio of the two tells the endpoint's own
cost apart from the machine's noise.

    python -m benchmarks.generate_latency --requests 2000 --concurrency 8
"""

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
#: One region, one day: a small report, so that running the jobs (in-process, without
#: Redis) does not drown the cost of accepting them, which is what is measured here.
GENERATE_BODY = {
    "parameters": {"region": "North", "start_date": "2025-06-02", "end_date": "2025-06-02"},
    "format": "csv",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _reportgen(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(BIN / "reportgen"), *args], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


async def _wait_until_up(client: httpx.AsyncClient, deadline_seconds: float = 30) -> None:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        try:
            if (await client.get("/health/ready")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError("the server did not become ready")


async def _measure(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    total: int,
    concurrency: int,
    headers: dict[str, str],
    expected: int,
) -> tuple[list[float], float]:
    latencies: list[float] = []
    remaining = iter(range(total))

    async def worker() -> None:
        for _ in remaining:
            started = time.perf_counter()
            body = GENERATE_BODY if method == "POST" else None
            response = await client.request(method, path, headers=headers, json=body)
            latencies.append(time.perf_counter() - started)
            if response.status_code != expected:
                raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, time.perf_counter() - started


def _summary(name: str, latencies: list[float], elapsed: float) -> dict[str, float]:
    cuts = statistics.quantiles(latencies, n=100)
    figures = {
        "p50": cuts[49] * 1000,
        "p95": cuts[94] * 1000,
        "p99": cuts[98] * 1000,
        "rps": len(latencies) / elapsed,
    }
    print(
        f"{name:<10} n={len(latencies):<6} p50={figures['p50']:7.2f} ms  "
        f"p95={figures['p95']:7.2f} ms  p99={figures['p99']:7.2f} ms  {figures['rps']:8.1f} req/s"
    )
    return figures


async def _run(args: argparse.Namespace, env: dict[str, str], port: int) -> dict[str, float]:
    token = _reportgen("token", "--sub", "bench", "--role", "analyst", env=env)
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=args.concurrency)
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:
        await _wait_until_up(client)
        warmup = max(args.requests // 10, 10)
        path = "/api/v1/reports/report-123/generate"
        await _measure(client, "POST", path, warmup, args.concurrency, headers, 202)
        health = _summary(
            "health",
            *await _measure(client, "GET", "/health", args.requests, args.concurrency, {}, 200),
        )
        generate = _summary(
            "generate",
            *await _measure(client, "POST", path, args.requests, args.concurrency, headers, 202),
        )
    ratio = generate["p95"] / health["p95"]
    print(f"generate/health P95 ratio: {ratio:.2f}")
    return generate


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 0 once it printed its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", help="default: SQLite in a fresh data dir")
    parser.add_argument("--redis-url", help="default: jobs run in-process")
    parser.add_argument("--server-log", type=Path, help="write the server's output here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as data_dir:
        env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTGEN_")}
        env["REPORTGEN_DATA_DIR"] = data_dir
        if args.database_url:
            env["REPORTGEN_DATABASE_URL"] = args.database_url
        if args.redis_url:
            env["REPORTGEN_REDIS_URL"] = args.redis_url
        _reportgen("db", "upgrade", env=env)
        _reportgen("demo", "seed", env=env)
        port = _free_port()
        log = args.server_log.open("w") if args.server_log else subprocess.DEVNULL
        server = subprocess.Popen(
            [str(BIN / "reportgen"), "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            asyncio.run(_run(args, env, port))
        finally:
            server.terminate()
            server.wait(timeout=15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
