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
import statistics
import sys
import time
from pathlib import Path

import httpx

from benchmarks.service import Service, running_service

#: One region, one day: a small report, so that running the jobs (embedded, without
#: Redis) does not drown the cost of accepting them, which is what is measured here.
GENERATE_BODY = {
    "parameters": {"region": "North", "start_date": "2025-06-02", "end_date": "2025-06-02"},
    "format": "csv",
}


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


async def _run(args: argparse.Namespace, service: Service) -> dict[str, float]:
    headers = {"Authorization": f"Bearer {service.token}"}
    limits = httpx.Limits(max_connections=args.concurrency)
    async with httpx.AsyncClient(base_url=service.base_url, limits=limits, timeout=10) as client:
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
    parser.add_argument("--redis-url", help="default: jobs run by the embedded runners")
    parser.add_argument("--server-log", type=Path, help="write the server's output here")
    args = parser.parse_args(argv)
    with running_service(
        database_url=args.database_url, redis_url=args.redis_url, log=args.server_log
    ) as service:
        asyncio.run(_run(args, service))
    return 0


if __name__ == "__main__":
    sys.exit(main())
