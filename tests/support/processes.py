"""Looking at real processes through Linux's /proc: who is whose child, who still runs."""

import contextlib
import os
import signal
import time
from collections.abc import Iterable
from pathlib import Path

PROC = Path("/proc")


def _stat(pid: int) -> tuple[str, int] | None:
    """A process's state letter and its parent's pid; ``None`` once it is gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()  # the name, in parentheses, may hold spaces
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, waiting to be reaped, does not)."""
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def command_line(pid: int) -> str:
    """The process's command line, its arguments joined by spaces ("" once it is gone)."""
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def descendants(pid: int) -> list[int]:
    """Every living process below ``pid``: children, their children, and so on."""
    parents: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            parents.setdefault(stat[1], []).append(int(entry.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found.extend(children)
        todo.extend(children)
    return [child for child in found if alive(child)]


def embedded_workers(pid: int) -> list[int]:
    """The embedded job worker processes below ``pid``."""
    return [p for p in descendants(pid) if "entrypoints.embedded_worker" in command_line(p)]


def wait_until_gone(pids: Iterable[int], seconds: float) -> list[int]:
    """Wait at most ``seconds`` for every process of ``pids`` to end; those still running."""
    deadline = time.monotonic() + seconds
    left = list(pids)
    while (left := [pid for pid in left if alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def kill_all(pids: Iterable[int]) -> None:
    """SIGKILL each process of ``pids`` still running (the cleanup of a failed test)."""
    for pid in pids:
        if alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def open_files(pid: int) -> tuple[int, int]:
    """A process's (soft, hard) limit of open files."""
    line = next(
        line
        for line in (PROC / str(pid) / "limits").read_text().splitlines()
        if line.startswith("Max open files")
    )
    soft, hard = line.split()[3:5]
    return int(soft), int(hard)
