"""Peak memory and throughput of one large report run by the real ``reportgen worker``.

Builds a SQLite data source of ``--rows`` rows, a report that queries all of
them, a migrated service database and data dir; queues one job through the
``generate_report`` use case, then runs ``reportgen worker --burst`` under
``/usr/bin/time -v`` and prints the rows, the file size, the times, the rows per
second and the worker's peak RSS. In the same run it times the reference, the
``sqlite3`` command-line shell (Debian's ``sqlite3`` package) writing the same
query on the same file as CSV into a file (``sqlite3 -csv -header``; the median
of three runs, two before the job and one after), and prints the ratio of the
job's own time (started to finished) to it. ``--compare`` adds a 100,000-row
run, so the two peak RSS figures show whether memory stays flat as the report
grows.

    python -m benchmarks.large_report --rows 1000000 --format csv --compare

Redis at ``--redis-url`` is flushed before each run.
"""

import argparse
import asyncio
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import redis

from adapters.sqlalchemy.migrate import upgrade_database
from application.jobs.generate_report import GenerateReportCommand
from domain.job_status import JobStatus
from domain.jobs import Job
from domain.principal import GENERATE_SCOPE, Principal
from domain.reports import (
    DeliveryChannel,
    DeliveryMode,
    DeliveryTarget,
    OutputFormat,
    ReportConfiguration,
)
from entrypoints.container import build_container
from entrypoints.lifecycle import stop_services
from entrypoints.settings import Settings

REPORTGEN = Path(sys.executable).with_name("reportgen")
COMPARE_ROWS = 100_000
MIB = 1024 * 1024
REPORT = ReportConfiguration(
    id="large-report",
    name="Large report",
    data_source="bench",
    query="SELECT id, created_at, category, quantity, amount, note FROM events ORDER BY id",
    formats=(OutputFormat.CSV, OutputFormat.JSON, OutputFormat.XLSX),
    delivery_targets=(DeliveryTarget(DeliveryChannel.API_RESPONSE, DeliveryMode.ASYNC),),
)
_FILL = """
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < :rows)
INSERT INTO events
SELECT x, date('2024-01-01', '+' || (x % 730) || ' days'), 'category-' || (x % 17),
       x % 50 + 1, round((x % 100000) / 100.0, 2), printf('event %09d', x)
FROM n"""


def build_data_source(path: Path, rows: int) -> None:
    """A SQLite file whose ``events`` table holds ``rows`` rows, filled in one statement."""
    connection = sqlite3.connect(path)
    try:
        connection.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, created_at TEXT, category TEXT,"
            " quantity INTEGER, amount REAL, note TEXT)"
        )
        connection.execute(_FILL, {"rows": rows})
        connection.commit()
    finally:
        connection.close()


async def run_job(env: dict[str, str], file_format: str) -> tuple[Job, float, float]:
    """Migrate, add the report, queue one job and run the worker: the job, wall s, peak KiB."""
    settings = Settings.from_env(env)
    container = build_container(settings)
    try:
        await upgrade_database(settings.database_url)
        async with container.unit_of_work() as uow:
            await uow.reports.add(REPORT)
            await uow.commit()
        caller = Principal("benchmark", scopes=frozenset({GENERATE_SCOPE}))
        command = GenerateReportCommand(caller, report_id=REPORT.id, format=file_format)
        job_id = (await container.generate_report().execute(command)).job_id
        wall_seconds, peak_kib = await asyncio.to_thread(run_burst_worker, env)
        async with container.unit_of_work() as uow:
            job = await uow.jobs.get(job_id)
    finally:
        await stop_services(container)
    if job is None:
        raise RuntimeError(f"job {job_id} has no record")
    if job.status is not JobStatus.SUCCEEDED:
        raise RuntimeError(f"job {job_id} ended {job.status}: {job.error}")
    return job, wall_seconds, peak_kib


def run_burst_worker(env: dict[str, str]) -> tuple[float, float]:
    """Run ``reportgen worker --burst`` under ``/usr/bin/time -v``: wall seconds, peak RSS KiB."""
    command = ["/usr/bin/time", "-v", str(REPORTGEN), "worker", "--burst"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"reportgen worker --burst exited {done.returncode}:\n{done.stderr}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", done.stderr)
    if rss is None or wall is None:
        raise RuntimeError(f"no figures from /usr/bin/time:\n{done.stderr}")
    parts = reversed(wall.group(1).split(":"))
    return sum(float(part) * 60**power for power, part in enumerate(parts)), float(rss.group(1))


def time_sqlite3_csv(database: Path, query: str, output: Path) -> float:
    """Seconds ``sqlite3 -csv -header`` takes to write ``query``'s rows into ``output``."""
    shell = shutil.which("sqlite3")
    if shell is None:
        raise RuntimeError("the sqlite3 shell is missing (Debian: apt-get install sqlite3)")
    with output.open("wb") as sink:
        started = time.perf_counter()
        done = subprocess.run([shell, "-csv", "-header", str(database), query], stdout=sink)
        seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"sqlite3 exited {done.returncode}")
    return seconds


def measure(rows: int, file_format: str, redis_url: str) -> float:
    """Run one job of ``rows`` rows, print its figures; the worker's peak RSS in MiB."""
    with redis.Redis.from_url(redis_url) as client:
        client.flushdb()
    with tempfile.TemporaryDirectory(prefix="reportgen-large-") as scratch:
        data_dir = Path(scratch)
        database, reference_csv = data_dir / "events.sqlite3", data_dir / "reference.csv"
        build_data_source(database, rows)
        references = [time_sqlite3_csv(database, REPORT.query, reference_csv) for _ in range(2)]
        env = {key: value for key, value in os.environ.items() if not key.startswith("REPORTGEN_")}
        env |= {
            "REPORTGEN_DATA_DIR": str(data_dir),
            "REPORTGEN_REDIS_URL": redis_url,
            "REPORTGEN_DATA_SOURCE_BENCH_URL": f"sqlite+aiosqlite:///{database}",
        }
        job, wall_seconds, peak_kib = asyncio.run(run_job(env, file_format))
        references.append(time_sqlite3_csv(database, REPORT.query, reference_csv))
    assert job.result is not None
    started, finished = job.started_at or job.created_at, job.finished_at or job.created_at
    job_seconds = (finished - started).total_seconds()
    peak_mib = peak_kib / 1024
    print(f"rows        {job.result.row_count:,} ({file_format})")
    print(f"file size   {job.result.size_bytes / MIB:.1f} MiB")
    print(f"wall time   {wall_seconds:.2f} s (the worker process, start-up included)")
    print(f"job time    {job_seconds:.2f} s (started to finished)")
    print(f"rows/s      {job.result.row_count / max(job_seconds, 1e-3):,.0f} (by job time)")
    reference = statistics.median(references)
    spread = ", ".join(f"{seconds:.2f}" for seconds in references)
    print(f"peak RSS    {peak_mib:.1f} MiB")
    print(f"sqlite3     {reference:.2f} s (sqlite3 -csv -header into a file; runs: {spread})")
    print(f"ratio       {job_seconds / reference:.2f}x sqlite3 -csv ({file_format}, by job time)")
    return peak_mib


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; 0 when every job succeeded, 1 with a message otherwise."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", choices=[f.value for f in OutputFormat], default="csv")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--compare", action="store_true", help=f"also run {COMPARE_ROWS:,} rows")
    args = parser.parse_args(argv)
    try:
        peak = measure(args.rows, args.format, args.redis_url)
        if args.compare:
            print()
            small = measure(COMPARE_ROWS, args.format, args.redis_url)
            print(f"\npeak RSS ratio ({args.rows:,} vs {COMPARE_ROWS:,} rows): {peak / small:.2f}")
    except RuntimeError as exc:
        print(f"large_report: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
