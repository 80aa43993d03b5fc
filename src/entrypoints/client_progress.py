"""How ``reportgen run`` shows a job's progress: a bar on a terminal, else plain lines."""

import math
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol, TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from entrypoints.client import Job


class ProgressDisplay(Protocol):
    """Shown each job document ``wait`` sees."""

    def update(self, job: Job) -> None: ...


def summary(job: Job) -> str:
    """``Running, 5000 rows`` (and the percentage where it is known)."""
    text = f"{job.status}, {job.progress.rows_written} rows"
    if job.progress.percent is not None:
        text += f", {job.progress.percent:.0f}%"
    return text


class PlainProgress:
    """A line on ``stream`` each time the job's status changes, and for its rows at most
    every ``every`` seconds (a log of a long job stays short)."""

    def __init__(
        self,
        job_id: str,
        stream: TextIO,
        every: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._name = f"job {job_id[:8]}…"
        self._stream = stream
        self._every = every
        self._clock = clock
        self._status = ""
        self._printed_at = -math.inf

    def update(self, job: Job) -> None:
        """Print the job's state if it is news."""
        now = self._clock()
        if job.status == self._status and now - self._printed_at < self._every:
            return
        self._status, self._printed_at = job.status, now
        print(f"{self._name}: {summary(job)}", file=self._stream, flush=True)


class BarProgress:
    """A rich progress bar: the status, rows written, percent when known, time elapsed."""

    def __init__(self, job_id: str, progress: Progress) -> None:
        self._name = f"job {job_id[:8]}…"
        self._progress = progress
        self._task = progress.add_task(self._name, total=None, rows="0 rows", percent="")

    def update(self, job: Job) -> None:
        """Move the bar to the job's state."""
        percent = job.progress.percent
        done = 100.0 if job.status == "Succeeded" else percent
        self._progress.update(
            self._task,
            description=f"{self._name} {job.status}",
            rows=f"{job.progress.rows_written:,} rows",
            percent="" if done is None else f"{done:.0f}%",
            total=None if done is None else 100.0,
            completed=done or 0.0,
        )


@contextmanager
def progress_display(job_id: str, stream: TextIO | None = None) -> Iterator[ProgressDisplay]:
    """The display for ``stream`` (standard error): a bar on a terminal, else lines."""
    output = stream or sys.stderr
    if not output.isatty():
        yield PlainProgress(job_id, output)
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[percent]:>4}"),
        TextColumn("{task.fields[rows]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(file=output)) as progress:
        yield BarProgress(job_id, progress)
