"""Throughput and latency of ``POST /api/v1/reports/{id}/generate`` under wrk.

Starts ``reportgen serve`` as a user would (a fresh data dir on SQLite, or the
PostgreSQL of ``--database-url``), warms it up, then drives generate with wrk
(Debian's ``wrk``) at each ``--connections`` count for ``--duration`` seconds.
With ``--redis-url`` the jobs are queued on that Redis database and no worker
runs, so only accepting jobs is measured; without it the embedded runners of
``serve`` run the jobs it accepts, on the same machine. After each level it
checks that every 202 has its job record (and, with Redis, its queued job).
Prints one markdown row per level.

With ``--flower-celery`` it drives, at each level right after reportgen, the
peer users pick instead: Celery Flower's ``async-apply`` putting the same
request as a Celery task on the same Redis (``benchmarks.flower_peer``; no
Celery worker runs either), and adds its figures and the throughput ratio to
the row. Flower runs from a virtualenv of its own, as a user would install it
(Celery 5.7 wants redis-py 6, arq wants 5):

    python3 -m venv .venv-peer && .venv-peer/bin/pip install "celery[redis]" flower
    python -m benchmarks.generate_wrk --redis-url redis://127.0.0.1:6379/14 \
        --flower-celery .venv-peer/bin/celery
    python -m benchmarks.generate_wrk --connections 16          # the embedded mode
"""

import argparse
import asyncio
import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import cast

import redis
import sqlalchemy as sa
from arq.constants import job_key_prefix

from adapters.arq.wire import QUEUE_NAME
from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.tables import job_execution_log
from benchmarks.service import Service, running_flower, running_service

PATH = "/api/v1/reports/report-123/generate"
HEADER = "| connections | req/s | P50 ms | P95 ms | P99 ms | errors | 202s | records | queued |"
PEER_HEADER = " Flower req/s | Flower P95 ms | Flower errors | req/s ratio |"
BODY = (
    '{"parameters": {"region": "North", "start_date": "2025-06-02", "end_date": "2025-06-02"},'
    ' "format": "csv"}'
)
FLOWER_PATH = "/api/task/async-apply/generate_report"
PEER_QUEUE = "celery"  # where Celery puts the peer's tasks
FLOWER_BODY = (
    '{"args": ["report-123", {"region": "North", "start_date": "2025-06-02",'
    ' "end_date": "2025-06-02"}, "csv"]}'
)
SCRIPT = """
wrk.method = "POST"
wrk.body = '%(body)s'
wrk.headers["Content-Type"] = "application/json"
%(authorization)s
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %%d, "seconds": %%f, "p50": %%f, "p95": %%f, "p99": %%f, '
    .. '"errors": %%d, "non2xx": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    errors.connect + errors.read + errors.write + errors.timeout, errors.status))
end
"""


def write_script(path: Path, body: str, token: str | None = None) -> Path:
    """The wrk script that POSTs ``body`` (with the bearer ``token``, if any)."""
    authorization = f'wrk.headers["Authorization"] = "Bearer {token}"' if token else ""
    path.write_text(SCRIPT % {"body": body, "authorization": authorization})
    return path


def wrk(url: str, script: Path, connections: int, seconds: int) -> dict[str, float]:
    """One wrk run against ``url``; its summary (latencies in ms)."""
    threads = min(connections, 2)
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
        "-s", str(script), url,
    ]  # fmt: skip
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    summary: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return summary


async def _count_jobs(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            count = sa.select(sa.func.count()).select_from(job_execution_log)
            return int((await connection.execute(count)).scalar_one())
    finally:
        await engine.dispose()


def recorded(service: Service, queue: redis.Redis | None) -> tuple[int, int]:
    """Job records in the database, and jobs in the Redis queue (the records, embedded),
    once the requests wrk left in flight have settled (queued first, committed next)."""
    time.sleep(1)
    database_url = service.env.get("REPORTGEN_DATABASE_URL") or (
        f"sqlite+aiosqlite:///{service.data_dir / 'reportgen.sqlite3'}"
    )
    records = asyncio.run(_count_jobs(database_url))
    return records, records if queue is None else cast(int, queue.zcard(QUEUE_NAME))


def forget_jobs(queue: redis.Redis) -> None:
    """Delete the queues and the queued jobs the runs leave (nobody runs them)."""
    queue.delete(QUEUE_NAME, PEER_QUEUE)
    keys = list(queue.scan_iter(match=f"{job_key_prefix}*", count=10_000))
    for start in range(0, len(keys), 10_000):
        queue.delete(*keys[start : start + 10_000])


async def _unfinished_jobs(database_url: str, seconds: float) -> tuple[int, int]:
    """Wait at most ``seconds`` for every job to succeed; (jobs not Succeeded, all jobs)."""
    engine = create_engine(database_url)
    status = job_execution_log.c.status
    count = sa.select(sa.func.count(), sa.func.count().filter(status != "Succeeded"))
    deadline = time.monotonic() + seconds
    try:
        while True:
            async with engine.connect() as connection:
                total, left = (await connection.execute(count)).one()
            if left == 0 or time.monotonic() > deadline:
                return int(left), int(total)
            await asyncio.sleep(1)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; non-zero when wrk is missing or a 202 has no record or no job."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", help="a Redis database for this run; default: embedded")
    parser.add_argument("--database-url", help="default: SQLite in a fresh data dir")
    parser.add_argument("--connections", default="1,16,64", help="comma-separated levels")
    parser.add_argument("--duration", type=int, default=10, help="seconds per level")
    parser.add_argument("--warmup", type=int, default=3, help="seconds before the first")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--flower-celery", type=Path, help="celery of a venv with Flower")
    parser.add_argument(
        "--drain", type=float, default=900, help="embedded: longest wait for every job to succeed"
    )
    args = parser.parse_args(argv)
    if args.flower_celery and not args.redis_url:
        parser.error("--flower-celery needs --redis-url: both queue on that Redis")
    if shutil.which("wrk") is None:
        print("wrk is not installed (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    levels = [int(level) for level in args.connections.split(",")]
    queue = redis.Redis.from_url(args.redis_url) if args.redis_url else None
    if queue is not None:
        forget_jobs(queue)
    failed = False
    with (
        running_service(
            database_url=args.database_url, redis_url=args.redis_url, workers=args.workers
        ) as service,
        running_flower(args.flower_celery, args.redis_url)
        if args.flower_celery
        else contextlib.nullcontext() as flower,
        tempfile.TemporaryDirectory() as scratch,
    ):
        script = write_script(Path(scratch) / "generate.lua", BODY, service.token)
        peer = write_script(Path(scratch) / "flower.lua", FLOWER_BODY)
        wrk(service.base_url + PATH, script, 4, args.warmup)
        if flower:
            wrk(flower + FLOWER_PATH, peer, 4, args.warmup)
        print(HEADER + (PEER_HEADER if flower else ""))
        print("|---" * (9 + (4 if flower else 0)) + "|")
        for connections in levels:
            before = recorded(service, queue)
            run = wrk(service.base_url + PATH, script, connections, args.duration)
            rows, queued = (a - b for a, b in zip(recorded(service, queue), before, strict=True))
            accepted = int(run["requests"] - run["non2xx"])
            errors = int(run["errors"] + run["non2xx"])
            # wrk stops with requests in flight: their jobs may be committed, unanswered.
            failed |= rows < accepted or queued != rows or errors > 0
            rate = run["requests"] / run["seconds"]
            row = (
                f"| {connections} | {rate:.0f} | {run['p50']:.1f} | {run['p95']:.1f} "
                f"| {run['p99']:.1f} | {errors} | {accepted} | {rows} | {queued} |"
            )
            if flower:
                other = wrk(flower + FLOWER_PATH, peer, connections, args.duration)
                other_rate = other["requests"] / other["seconds"]
                row += (
                    f" {other_rate:.0f} | {other['p95']:.1f} "
                    f"| {int(other['errors'] + other['non2xx'])} | {rate / other_rate:.1f}x |"
                )
            print(row)
        if queue is None:  # embedded: the workers of serve run every job accepted
            database_url = service.env.get("REPORTGEN_DATABASE_URL") or (
                f"sqlite+aiosqlite:///{service.data_dir / 'reportgen.sqlite3'}"
            )
            started = time.monotonic()
            left, total = asyncio.run(_unfinished_jobs(database_url, args.drain))
            took = time.monotonic() - started
            print(f"jobs Succeeded: {total - left}/{total} ({took:.0f} s after the last level)")
            failed |= left > 0
    if queue is not None:
        forget_jobs(queue)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
