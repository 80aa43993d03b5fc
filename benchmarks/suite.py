"""The whole benchmark suite in one command; its report goes to ``docs/benchmarks.md``.

Runs each benchmark of this package as a user would (a real ``reportgen serve``,
real Redis, real workers, wrk) one after the other, and writes one markdown
report: the machine, the command, and each section's table as it printed it.
Every figure that judges speed is a ratio to a peer measured in the same run
(Celery Flower for the API, ``sqlite3 -csv`` for exports), so the report reads
the same on a noisy machine.

    python -m benchmarks.suite                       # everything, about seven minutes
    python -m benchmarks.suite --only api,export     # some sections

Needs Debian's ``wrk`` and ``sqlite3``, Redis, PostgreSQL for the PostgreSQL
section, and Celery Flower in ``.venv-peer`` (see the README's "How fast").
"""

import argparse
import asyncio
import os
import platform
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "benchmarks.md"


@dataclass(frozen=True)
class Section:
    """One benchmark: its heading, what it shows, and its command line (``python -m ...``)."""

    key: str
    title: str
    about: str
    arguments: tuple[str, ...]


def sections(redis_url: str, postgres_url: str, celery: Path) -> list[Section]:
    """Every section, in the order the report shows them."""
    flower = ("--flower-celery", str(celery))
    return [
        Section(
            "api",
            "Generate, SQLite + Redis, beside Celery Flower",
            "`reportgen serve` on SQLite with jobs queued on Redis (no worker), then Celery "
            "Flower's `async-apply` queueing the same request on the same Redis.",
            ("benchmarks.generate_wrk", "--redis-url", redis_url, *flower),
        ),
        Section(
            "postgres",
            "Generate, PostgreSQL + Redis, beside Celery Flower",
            "The same on a fresh PostgreSQL database.",
            (
                "benchmarks.generate_wrk",
                "--redis-url",
                redis_url,
                "--database-url",
                postgres_url,
                "--connections",
                "64",
                *flower,
            ),
        ),
        Section(
            "embedded",
            "The embedded default (no Redis), jobs running on the same box",
            "`reportgen serve` alone: it accepts jobs and its worker processes run them.",
            ("benchmarks.generate_wrk", "--connections", "16", "--duration", "5"),
        ),
        Section(
            "latency",
            "202 to Succeeded, small jobs at a steady 50 jobs/s",
            "Each job's time from its 202 to `Succeeded`, from its record.",
            ("benchmarks.job_latency", "--rate", "50", "--seconds", "10"),
        ),
        *(
            Section(
                "export",
                f"1,000,000 rows to {name}, beside `sqlite3 -csv`",
                "One job run by a real `reportgen worker`, and `sqlite3 -csv` on the same "
                "file and query in the same run.",
                ("benchmarks.large_report", "--rows", "1000000", "--format", name.lower()),
            )
            for name in ("CSV", "JSON", "XLSX")
        ),
    ]


async def _administer(admin_url: str, statement: str) -> None:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """An empty PostgreSQL database beside ``admin_url``'s while the block runs; its URL."""
    name = f"reportgen_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_administer(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_administer(admin_url, f'DROP DATABASE "{name}" WITH (FORCE)'))


def run(section: Section) -> tuple[str, bool, float]:
    """Run one section: what it printed, whether it passed its own checks, seconds."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", *section.arguments],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    output = done.stdout.strip() or done.stderr.strip()
    return output, done.returncode == 0, time.monotonic() - started


def render(section: Section, output: str, passed: bool) -> str:
    """A section of the report: tables as they are, other output in a code block."""
    command = "python -m " + " ".join(section.arguments)
    body = output if output.lstrip().startswith("|") else f"```\n{output}\n```"
    verdict = "" if passed else "\n**The benchmark's own checks failed.**\n"
    return f"## {section.title}\n\n{section.about}\n\n`{command}`\n\n{body}\n{verdict}"


def machine() -> str:
    """One line on the machine the figures come from."""
    model = "unknown CPU"
    with Path("/proc/cpuinfo").open() as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen sections, print and write the report; 1 if a section failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument(
        "--postgres-admin-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--flower-celery", type=Path, default=Path(".venv-peer/bin/celery"))
    parser.add_argument("--only", help="comma-separated section keys (api, postgres, ...)")
    parser.add_argument("--output", type=Path, default=REPORT)
    args = parser.parse_args(argv)
    wanted = set(args.only.split(",")) if args.only else None
    known = {section.key for section in sections("", "", Path())}
    if wanted is not None and not wanted <= known:
        parser.error(f"--only: unknown section(s) {sorted(wanted - known)}; known: {sorted(known)}")
    database = (
        fresh_database(args.postgres_admin_url)
        if wanted is None or "postgres" in wanted
        else nullcontext("")
    )
    with database as postgres_url:
        chosen = [
            section
            for section in sections(args.redis_url, postgres_url, args.flower_celery)
            if wanted is None or section.key in wanted
        ]
        report, failed = run_all(chosen)
    print(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report)
    return 1 if failed else 0


def run_all(chosen: Sequence[Section]) -> tuple[str, bool]:
    """Run ``chosen`` one after the other: the report, and whether any failed."""
    parts = [
        "# Benchmarks\n",
        f"Produced by `python -m benchmarks.suite` on {datetime.now(UTC):%Y-%m-%d}, "
        f"{machine()}. Ratios are to a peer measured in the same run.\n",
    ]
    failed = False
    for section in chosen:
        output, passed, seconds = run(section)
        failed |= not passed
        print(f"{section.title}: {'ok' if passed else 'FAILED'} ({seconds:.0f} s)", flush=True)
        parts.append(render(section, output, passed))
    return "\n".join(parts), failed


if __name__ == "__main__":
    sys.exit(main())
