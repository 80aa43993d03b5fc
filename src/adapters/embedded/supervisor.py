"""``WorkerSupervisor``: keeps a fixed number of worker processes running, restarts the ones
that exit with a growing pause, and stops them all within a bounded time."""

import logging
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

logger = logging.getLogger(__name__)


class WorkerProcess(Protocol):
    """A started process (``subprocess.Popen`` is one)."""

    @property
    def pid(self) -> int:
        """Its process id."""
        ...

    def poll(self) -> int | None:
        """Its exit code once it ended, else ``None``."""
        ...

    def terminate(self) -> None:
        """Ask it to stop (SIGTERM)."""
        ...

    def kill(self) -> None:
        """Stop it now (SIGKILL)."""
        ...

    def wait(self, timeout: float | None = None) -> int:
        """Wait for it to end; ``subprocess.TimeoutExpired`` when it does not in time."""
        ...


StartWorker = Callable[[int], WorkerProcess]
"""Starts the worker process numbered ``n`` (from 0)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RestartPolicy:
    """How soon a worker that exited starts again: after ``first_pause``, doubled for each
    exit in a row that came within ``stable_after`` of its start, at most ``longest_pause``."""

    first_pause: timedelta = timedelta(seconds=0.5)
    longest_pause: timedelta = timedelta(seconds=30)
    stable_after: timedelta = timedelta(seconds=30)
    crash_loop_after: int = 3
    """Quick exits in a row that make a crash loop (logged as an error)."""

    def pause(self, quick_exits: int) -> float:
        """Seconds to wait before a restart, after ``quick_exits`` quick exits in a row."""
        doubled = self.first_pause.total_seconds() * 2.0 ** min(quick_exits, 32)
        return min(doubled, self.longest_pause.total_seconds())


@dataclass(slots=True)
class _Slot:
    number: int
    process: WorkerProcess | None = None
    started_at: float = 0.0
    quick_exits: int = 0
    restart_at: float = 0.0


class WorkerSupervisor:
    """``count`` worker processes, each in its slot (numbered from 0)."""

    def __init__(
        self,
        start_worker: StartWorker,
        count: int,
        *,
        policy: RestartPolicy,
        stop_timeout: timedelta,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._start_worker = start_worker
        self._slots = [_Slot(number) for number in range(count)]
        self._policy = policy
        self._stop_seconds = stop_timeout.total_seconds()
        self._clock = clock
        self._stopped = False

    @property
    def pids(self) -> list[int]:
        """The process ids of the workers running now."""
        return [slot.process.pid for slot in self._slots if slot.process is not None]

    def check(self) -> None:
        """Note the workers that exited, and start those whose pause is over (all of them,
        the first time); nothing once stopped."""
        if self._stopped:
            return
        now = self._clock()
        for slot in self._slots:
            if slot.process is None:
                if now >= slot.restart_at:
                    self._start(slot, now)
            elif (code := slot.process.poll()) is not None:
                self._exited(slot, code, now)

    def stop(self) -> None:
        """Ask every worker to stop, wait at most ``stop_timeout`` in all, then kill those
        still running. No worker starts again afterwards."""
        self._stopped = True
        running = [slot.process for slot in self._slots if slot.process is not None]
        for slot in self._slots:
            slot.process = None
        for process in running:
            process.terminate()
        deadline = self._clock() + self._stop_seconds
        for process in running:
            try:
                process.wait(timeout=max(deadline - self._clock(), 0.0))
            except subprocess.TimeoutExpired:
                logger.warning("Embedded job worker %d did not stop in time: killed.", process.pid)
                process.kill()
                process.wait()

    def _start(self, slot: _Slot, now: float) -> None:
        try:
            slot.process = self._start_worker(slot.number)
        except OSError:
            logger.exception("Embedded job worker %d could not start.", slot.number)
            self._schedule_restart(slot, now, quick=True)
            return
        slot.started_at = now

    def _exited(self, slot: _Slot, code: int, now: float) -> None:
        pid = slot.process.pid if slot.process is not None else 0
        slot.process = None
        quick = now - slot.started_at < self._policy.stable_after.total_seconds()
        pause = self._schedule_restart(slot, now, quick=quick)
        logger.warning(
            "Embedded job worker %d (pid %d) exited (%s); restarting it in %.1f s.",
            slot.number,
            pid,
            describe_exit(code),
            pause,
        )

    def _schedule_restart(self, slot: _Slot, now: float, *, quick: bool) -> float:
        slot.quick_exits = slot.quick_exits + 1 if quick else 0
        pause = self._policy.pause(slot.quick_exits)
        slot.restart_at = now + pause
        if slot.quick_exits >= self._policy.crash_loop_after:
            logger.error(
                "Embedded job worker %d keeps exiting soon after it starts (%d times in a "
                "row); see its log above. Next start in %.1f s.",
                slot.number,
                slot.quick_exits,
                pause,
            )
        return pause


def describe_exit(code: int) -> str:
    """``code 1``, or ``signal SIGKILL`` for a process ended by a signal (a negative code)."""
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"code {code}"


class SupervisorThread:
    """Runs ``supervisor.check`` every ``interval`` in a background thread until ``stop``."""

    def __init__(self, supervisor: WorkerSupervisor, *, interval: timedelta) -> None:
        self.supervisor = supervisor
        self._interval = interval.total_seconds()
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="reportgen-embedded-supervisor", daemon=True
        )

    def start(self) -> None:
        """Start the workers, then watch them."""
        self.supervisor.check()
        self._thread.start()

    def stop(self) -> None:
        """Stop watching (no restart from now on), then stop the workers."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()
        self.supervisor.stop()

    def _run(self) -> None:
        while not self._stopping.wait(self._interval):
            try:
                self.supervisor.check()
            except Exception:
                logger.exception("Watching the embedded job workers failed; it carries on.")
