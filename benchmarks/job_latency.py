"""How soon a small job is done: 202 to Succeeded, at a steady rate, against a real server.

Starts ``reportgen serve`` on a fresh data dir: the embedded mode (its worker
processes run the jobs), or, with ``--redis-url``, serve plus one real
``reportgen worker`` on that Redis database. Sends generate at ``--rate`` per
second for ``--seconds``, open loop (each
request leaves at its time, whatever the others do), waits (at most
``--drain``) for every accepted job to finish, then reads each job's
``created_at`` and ``finished_at`` from the database and prints P50, P95 and P99
of the difference. Exits 1 unless every request got 202 and every job Succeeded.

The job is small, so that what is measured is how soon a job is taken up and
reported done: by default a report the benchmark adds, of 20 demo sales read by
primary key (``--report small``); ``--report demo`` asks for the one-day,
one-region demo report instead, whose query scans the 120,000 demo sales twice
(counting, then reading: some 40-60 ms of CPU a job), more than 2 cores can do
50 times a second.

    python -m benchmarks.job_latency                                   # embedded
    python -m benchmarks.job_latency --redis-url redis://127.0.0.1:6379/14
"""

import argparse
import asyncio
import contextlib
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

import httpx
import redis
import sqlalchemy as sa

from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.tables import job_execution_log
from benchmarks.generate_latency import GENERATE_BODY
from benchmarks.generate_wrk import forget_jobs
from benchmarks.service import Service, reportgen, running_service, running_worker

FINISHED = ("Succeeded", "Failed", "Cancelled")
SMALL_REPORT = "bench-small"
SMALL_QUERY = (
    "SELECT id, sale_date, region, amount FROM sales WHERE id BETWEEN 1 AND 20 ORDER BY id"
)


def add_small_report(service: Service) -> None:
    """Add ``bench-small``: report-123's configuration with a 20-row query, no parameters."""
    admin = reportgen("token", "--sub", "bench-admin", "--scope", "reports:admin", env=service.env)
    headers = {"Authorization": f"Bearer {admin}"}
    url = f"{service.base_url}/api/v1/reports"
    document = httpx.get(f"{url}/report-123", headers=headers, timeout=10).json()
    document.update(id=SMALL_REPORT, name="Benchmark: 20 sales", query=SMALL_QUERY, parameters=[])
    httpx.post(url, headers=headers, json=document, timeout=10).raise_for_status()


async def send_steadily(
    service: Service, report: str, rate: float, seconds: float
) -> tuple[list[str], int]:
    """Generate at ``rate`` per second for ``seconds``; the accepted job ids, and how many
    requests got another answer (or none)."""
    headers = {"Authorization": f"Bearer {service.token}"}
    path = f"/api/v1/reports/{report}/generate"
    body = GENERATE_BODY if report == "report-123" else None
    accepted: list[str] = []
    refused = 0

    async def one(client: httpx.AsyncClient) -> None:
        nonlocal refused
        try:
            response = await client.post(path, headers=headers, json=body)
        except httpx.HTTPError:
            refused += 1
            return
        if response.status_code == 202:
            accepted.append(response.json()["jobId"])
        else:
            refused += 1

    async with httpx.AsyncClient(base_url=service.base_url, timeout=10) as client:
        started = time.perf_counter()
        requests: list[asyncio.Task[None]] = []
        for number in range(round(rate * seconds)):
            await asyncio.sleep(max(started + number / rate - time.perf_counter(), 0))
            requests.append(asyncio.create_task(one(client)))
        await asyncio.gather(*requests)
    return accepted, refused


Times = dict[str, tuple[str, float | None, float | None]]
"""By job id: its status, and seconds from ``created_at`` to ``started_at`` and to
``finished_at`` (``None`` until then)."""


async def job_times(database_url: str, job_ids: list[str]) -> Times:
    """Each job's status and times."""
    engine = create_engine(database_url)
    c = job_execution_log.c
    try:
        async with engine.connect() as connection:
            query = sa.select(c.job_id, c.status, c.created_at, c.started_at, c.finished_at)
            rows = (await connection.execute(query.where(c.job_id.in_(job_ids)))).all()
    finally:
        await engine.dispose()
    return {
        job_id: (status, _seconds(created, started), _seconds(created, finished))
        for job_id, status, created, started, finished in rows
    }


def _seconds(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else (end - start).total_seconds()


async def wait_for_jobs(database_url: str, job_ids: list[str], seconds: float) -> Times:
    """The jobs' times once all finished, or when ``seconds`` are up."""
    deadline = time.monotonic() + seconds
    while True:
        times = await job_times(database_url, job_ids)
        done = all(status in FINISHED for status, _, _ in times.values())
        if (done and len(times) == len(job_ids)) or time.monotonic() > deadline:
            return times
        await asyncio.sleep(0.5)


def print_figures(times: Times, accepted: int, refused: int) -> bool:
    """Print the figures; whether every request was accepted and every job Succeeded."""
    succeeded = [(taken, done) for status, taken, done in times.values() if status == "Succeeded"]
    print(f"accepted {accepted}, refused {refused}, succeeded {len(succeeded)}/{accepted}")
    for name, waits in (
        ("202 to Succeeded", [done for _, done in succeeded]),
        ("202 to Running", [taken for taken, _ in succeeded]),
    ):
        if len(waits) >= 2:
            print(f"{name:<17} {_percentiles([w for w in waits if w is not None])}")
    return refused == 0 and accepted > 0 and len(succeeded) == accepted


def _percentiles(seconds: list[float]) -> str:
    cuts = statistics.quantiles([s * 1000 for s in seconds], n=100)
    return f"P50 {cuts[49]:6.0f} ms  P95 {cuts[94]:6.0f} ms  P99 {cuts[98]:6.0f} ms"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when every request was accepted and every job Succeeded."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50, help="generate requests per second")
    parser.add_argument("--seconds", type=float, default=10, help="how long to send them")
    parser.add_argument("--drain", type=float, default=60, help="longest wait for the jobs")
    parser.add_argument("--redis-url", help="a Redis database for this run; default: embedded")
    parser.add_argument("--report", choices=["small", "demo"], default="small")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="a REPORTGEN_ knob"
    )
    parser.add_argument("--server-log", type=Path, help="write the server's output here")
    args = parser.parse_args(argv)
    queue = redis.Redis.from_url(args.redis_url) if args.redis_url else None
    if queue is not None:
        forget_jobs(queue)
    with (
        running_service(
            redis_url=args.redis_url,
            log=args.server_log,
            variables=dict(knob.split("=", 1) for knob in args.set),
        ) as service,
        running_worker(service) if queue is not None else contextlib.nullcontext(),
    ):
        report = "report-123" if args.report == "demo" else SMALL_REPORT
        if report == SMALL_REPORT:
            add_small_report(service)
        accepted, refused = asyncio.run(send_steadily(service, report, args.rate, args.seconds))
        database_url = f"sqlite+aiosqlite:///{service.data_dir / 'reportgen.sqlite3'}"
        times = asyncio.run(wait_for_jobs(database_url, accepted, args.drain))
    if queue is not None:
        forget_jobs(queue)
    return 0 if print_figures(times, len(accepted), refused) else 1


if __name__ == "__main__":
    sys.exit(main())
