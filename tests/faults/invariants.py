"""The promise of a 202, checked after a fault: the invariants every fault case shares.

A case records each answer to ``POST .../generate`` in a ``Ledger``, breaks something,
then calls ``check``, which waits (up to a bound) until every job has ended and every
promise holds, else raises ``AssertionError`` naming each broken one; ``check_safety``
asserts at once what must hold at every moment (a job still running is no failure):

- every answer was a 202, or a 4xx/503 carrying ``{"error": "..."}``; never a 500,
  never a request that hung past the client's timeout (cut off only where the case
  kills the API process itself);
- every 202 has its row, and the row reaches exactly one terminal status within the
  bound; a row nobody was answered 202 for exists only for a request cut off;
- no result file without a ``Succeeded`` row, and one file per succeeded job;
- a job's terminal status never changes once seen;
- no job ran twice to success (the workers' ``Job <id>: succeeded`` log lines).
"""

import asyncio
import contextlib
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

TERMINAL = frozenset({"Succeeded", "Failed", "Cancelled"})
STATUSES = TERMINAL | {"Queued", "Running"}
_SUCCEEDED_LINE = re.compile(r"Job ([0-9a-f-]{36}): succeeded\b")


@dataclass(frozen=True, slots=True)
class Answer:
    """What a client got for one generate request."""

    status: int | None  # None: no answer (the connection was cut or timed out)
    job_id: str | None = None
    error: str | None = None
    failure: str | None = None  # the transport error's name when there was no answer

    @classmethod
    def of(cls, response: httpx.Response) -> "Answer":
        """Read a response: its job id on a 202, its ``error`` sentence otherwise."""
        try:
            body = response.json()
        except ValueError:
            body = None
        body = body if isinstance(body, dict) else {}
        job_id, error = body.get("jobId"), body.get("error")
        return cls(
            response.status_code,
            job_id if isinstance(job_id, str) else None,
            error if isinstance(error, str) else None,
        )

    @classmethod
    def cut_off(cls, error: httpx.TransportError) -> "Answer":
        """A request that got no answer."""
        return cls(None, failure=type(error).__name__)


@dataclass(frozen=True, slots=True)
class JobRow:
    """One ``JobExecutionLog`` row, as the checks need it."""

    status: str
    attempts: int
    result_key: str | None


#: Reads every job row: job id -> row.
RowReader = Callable[[], dict[str, JobRow]]
#: Where the result files are: a directory, or what lists their names (an object store's keys
#: under the results prefix).
Results = Path | Callable[[], list[str]]


def sqlite_rows(database: Path) -> RowReader:
    """The rows of the SQLite file ``database``, read with the standard library."""

    def read() -> dict[str, JobRow]:
        with contextlib.closing(sqlite3.connect(database, timeout=10)) as connection:
            rows = connection.execute(
                'SELECT job_id, status, attempts, result_key FROM "JobExecutionLog"'
            ).fetchall()
        return {job_id: JobRow(status, attempts, key) for job_id, status, attempts, key in rows}

    return read


def postgres_rows(dsn: str) -> RowReader:
    """The rows of the PostgreSQL database at ``dsn`` (a ``postgresql://`` URL)."""

    async def fetch() -> dict[str, JobRow]:
        connection = await asyncpg.connect(dsn, timeout=5)
        try:
            rows = await connection.fetch(
                'SELECT job_id, status, attempts, result_key FROM "JobExecutionLog"'
            )
        finally:
            await connection.close()
        return {row[0]: JobRow(row[1], row[2], row[3]) for row in rows}

    return lambda: asyncio.run(fetch())


@dataclass
class Ledger:
    """Every generate answer of a case, and what the case allows."""

    answers: list[Answer] = field(default_factory=list)
    ended: dict[str, str] = field(default_factory=dict)  # the terminal status each job showed

    def record(self, answers: Iterable[Answer]) -> None:
        """Add answers, in any order."""
        self.answers.extend(answers)

    @property
    def accepted(self) -> set[str]:
        """The job ids answered 202."""
        return {a.job_id for a in self.answers if a.status == 202 and a.job_id is not None}

    def count(self, status: int | None) -> int:
        """How many answers had ``status`` (``None``: no answer)."""
        return sum(1 for answer in self.answers if answer.status == status)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What ``check`` found: the rows at the end, for a case's own further checks."""

    rows: dict[str, JobRow]


@dataclass(frozen=True, slots=True)
class Allowances:
    """What a case's faults excuse.

    ``cut_offs``: the case killed the API, so a request may have got no answer (then it
    left a row that ends, or no row). ``workers_killed``: a worker may have died between
    recording a success and logging it, so a success may be missing from the logs.
    """

    cut_offs: bool = False
    workers_killed: bool = False


def check(
    ledger: Ledger,
    rows: RowReader,
    *,
    results: Results,
    logs: Path,
    seconds: float,
    cut_offs_allowed: bool = False,
    workers_killed: bool = False,
) -> Outcome:
    """Wait at most ``seconds`` for every job to end, then assert every invariant."""
    allowed = Allowances(cut_offs_allowed, workers_killed)
    deadline = time.monotonic() + seconds
    while True:
        final, problems = _inspect(ledger, rows, results, logs, allowed, ended=True)
        if not problems or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert not problems, "Broken promises:\n" + "\n".join(problems[:30])
    return Outcome(final)


def check_safety(
    ledger: Ledger, rows: RowReader, *, results: Results, logs: Path, allowed: Allowances
) -> dict[str, JobRow]:
    """Assert, without waiting, what must hold at every moment: the answers, a row for
    each 202 and none for anything else, a terminal status never changing, no file of a job
    that did not succeed or is not finishing, no job run to success twice."""
    current, problems = _inspect(ledger, rows, results, logs, allowed, ended=False)
    assert not problems, "Broken promises:\n" + "\n".join(problems[:30])
    return current


def _inspect(
    ledger: Ledger,
    rows: RowReader,
    results: Results,
    logs: Path,
    allowed: Allowances,
    *,
    ended: bool,
) -> tuple[dict[str, JobRow], list[str]]:
    files = _file_names(results)
    current = rows()  # read after the files: a row is at least as far along as its file
    problems = _answer_problems(ledger, allowed.cut_offs)
    problems += _row_problems(ledger, current, allowed.cut_offs, ended)
    problems += _file_problems(current, files, ended)
    problems += _run_problems(current, logs, allowed.workers_killed or not ended)
    return current, problems


def _file_names(results: Results) -> list[str]:
    if not isinstance(results, Path):
        return sorted(results())
    return sorted(path.name for path in results.iterdir()) if results.is_dir() else []


def _answer_problems(ledger: Ledger, cut_offs_allowed: bool) -> list[str]:
    problems = []
    for answer in ledger.answers:
        if answer.status == 202:
            if answer.job_id is None:
                problems.append("a 202 without a jobId")
        elif answer.status is None:
            if not cut_offs_allowed or answer.failure in ("ReadTimeout", "PoolTimeout"):
                problems.append(f"a request got no answer ({answer.failure})")
        elif answer.status == 503 or 400 <= answer.status < 500:
            if not answer.error:
                problems.append(f"a {answer.status} without an error sentence")
        else:
            problems.append(f"an answer {answer.status}: {answer.error!r}")
    return problems


def _row_problems(
    ledger: Ledger, final: dict[str, JobRow], cut_offs_allowed: bool, ended: bool
) -> list[str]:
    accepted = ledger.accepted
    problems = [f"job {job_id} was answered 202 but has no row" for job_id in accepted - set(final)]
    unanswered = set(final) - accepted
    if len(unanswered) > ledger.count(None) or (unanswered and not cut_offs_allowed):
        problems += [f"job {job_id} has a row but nobody got a 202" for job_id in unanswered]
    for job_id, row in final.items():
        if row.status not in STATUSES:
            problems.append(f"job {job_id} has status {row.status!r}")
        elif row.status not in TERMINAL:
            if ended:
                problems.append(f"job {job_id} is still {row.status} after the bound")
        elif ledger.ended.setdefault(job_id, row.status) != row.status:
            problems.append(f"job {job_id} ended {ledger.ended[job_id]}, now is {row.status}")
    return problems


def _file_problems(final: dict[str, JobRow], files: list[str], ended: bool) -> list[str]:
    # While a job finishes, its whole file is in place just before its row says Succeeded,
    # and the file of a job cancelled meanwhile just before it is deleted.
    finishing = {"Succeeded"} if ended else {"Succeeded", "Running", "Cancelled"}
    owners = Counter(name.split(".", 1)[0] for name in files if not name.startswith("."))
    left = [name for name in files if name.endswith(".part")] if ended else []
    problems = [f"a partial file was left: {name}" for name in left]
    for job_id, count in owners.items():
        row = final.get(job_id)
        if row is None or row.status not in finishing:
            problems.append(f"result file of job {job_id} without a Succeeded row")
        elif count > 1:
            problems.append(f"job {job_id} has {count} result files")
    for job_id, row in final.items():
        if row.status == "Succeeded" and (row.result_key is None or row.result_key not in files):
            problems.append(f"job {job_id} Succeeded without its result file")
    return problems


def _run_problems(final: dict[str, JobRow], logs: Path, unlogged_allowed: bool) -> list[str]:
    runs: Counter[str] = Counter()
    for log in logs.glob("*.log"):
        runs.update(_SUCCEEDED_LINE.findall(log.read_text(errors="replace")))
    problems = [f"job {job_id} ran to success {n} times" for job_id, n in runs.items() if n > 1]
    problems += [f"job {job_id} succeeded without a row" for job_id in set(runs) - set(final)]
    for job_id, row in final.items():
        if row.status == "Succeeded" and runs[job_id] == 0 and not unlogged_allowed:
            problems.append(f"job {job_id} is Succeeded, but no worker logged its success")
    return problems
