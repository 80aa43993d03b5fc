"""WorkerSupervisor: starts its workers, restarts one that exits after a growing pause, logs a
crash loop, and stops them all within a bound (fake processes and a fake clock)."""

import logging
import signal
import subprocess
from datetime import timedelta

import pytest

from adapters.embedded.supervisor import (
    RestartPolicy,
    SupervisorThread,
    WorkerProcess,
    WorkerSupervisor,
    describe_exit,
)

POLICY = RestartPolicy(
    first_pause=timedelta(seconds=1),
    longest_pause=timedelta(seconds=8),
    stable_after=timedelta(seconds=60),
)


class FakeProcess:
    """A process that runs until told to exit; it obeys SIGTERM unless ``stubborn``."""

    def __init__(self, pid: int, *, stubborn: bool = False) -> None:
        self.pid = pid
        self.code: int | None = None
        self.stubborn = stubborn
        self.terminated = self.killed = False

    def poll(self) -> int | None:
        return self.code

    def terminate(self) -> None:
        self.terminated = True
        if not self.stubborn:
            self.code = -signal.SIGTERM

    def kill(self) -> None:
        self.killed = True
        self.code = -signal.SIGKILL

    def wait(self, timeout: float | None = None) -> int:
        if self.code is None:
            raise subprocess.TimeoutExpired("worker", timeout or 0)
        return self.code


class Launcher:
    """Starts fake processes and keeps them, by worker number."""

    def __init__(self, *, stubborn: bool = False, failures: int = 0) -> None:
        self.started: list[tuple[int, FakeProcess]] = []
        self.stubborn = stubborn
        self.failures = failures

    def __call__(self, number: int) -> WorkerProcess:
        if self.failures:
            self.failures -= 1
            raise OSError("cannot start")
        process = FakeProcess(1000 + len(self.started), stubborn=self.stubborn)
        self.started.append((number, process))
        return process

    def latest(self, number: int) -> FakeProcess:
        return [process for n, process in self.started if n == number][-1]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def supervisor(launcher: Launcher, clock: Clock, count: int = 2) -> WorkerSupervisor:
    return WorkerSupervisor(
        launcher, count, policy=POLICY, stop_timeout=timedelta(seconds=5), clock=clock
    )


def test_the_first_check_starts_every_worker_once() -> None:
    launcher, clock = Launcher(), Clock()
    watched = supervisor(launcher, clock, count=3)

    watched.check()
    watched.check()

    assert [number for number, _ in launcher.started] == [0, 1, 2]
    assert watched.pids == [1000, 1001, 1002]


def test_a_worker_that_exits_is_restarted_in_its_slot_after_the_pause(
    caplog: pytest.LogCaptureFixture,
) -> None:
    launcher, clock = Launcher(), Clock()
    watched = supervisor(launcher, clock)
    watched.check()
    clock.now += 120  # it ran long enough to count as stable
    launcher.latest(1).code = -signal.SIGKILL

    watched.check()
    assert len(launcher.started) == 2  # not at once
    clock.now += 0.9
    watched.check()
    assert len(launcher.started) == 2
    clock.now += 0.2
    watched.check()

    assert launcher.started[-1][0] == 1
    assert watched.pids == [1000, 1002]
    assert "Embedded job worker 1 (pid 1001) exited (signal SIGKILL)" in caplog.text


def test_quick_exits_in_a_row_double_the_pause_up_to_the_longest_and_are_logged_as_a_loop(
    caplog: pytest.LogCaptureFixture,
) -> None:
    launcher, clock = Launcher(), Clock()
    watched = supervisor(launcher, clock, count=1)
    watched.check()
    pauses: list[float] = []
    for _ in range(6):
        launcher.latest(0).code = 1
        watched.check()  # notes the exit
        exited_at, before = clock.now, len(launcher.started)
        while len(launcher.started) == before:
            clock.now += 0.5
            watched.check()
        pauses.append(clock.now - exited_at)

    assert pauses == [2.0, 4.0, 8.0, 8.0, 8.0, 8.0]
    loops = [r for r in caplog.records if r.levelno == logging.ERROR and "keeps exiting" in r.msg]
    assert len(loops) == 4  # from the third quick exit in a row on


def test_a_worker_that_ran_long_enough_starts_again_after_the_first_pause() -> None:
    launcher, clock = Launcher(), Clock()
    watched = supervisor(launcher, clock, count=1)
    watched.check()
    for _ in range(3):
        launcher.latest(0).code = 1
        watched.check()
        clock.now += 10
        watched.check()
    clock.now += 60
    launcher.latest(0).code = 1
    watched.check()

    clock.now += 1.0
    watched.check()

    assert len(launcher.started) == 5


def test_a_worker_that_cannot_start_is_tried_again_later(
    caplog: pytest.LogCaptureFixture,
) -> None:
    launcher, clock = Launcher(failures=1), Clock()
    watched = supervisor(launcher, clock, count=1)

    watched.check()
    assert launcher.started == []
    assert "Embedded job worker 0 could not start" in caplog.text
    clock.now += 2.0
    watched.check()

    assert watched.pids == [1000]


def test_stop_terminates_every_worker_and_restarts_none() -> None:
    launcher, clock = Launcher(), Clock()
    watched = supervisor(launcher, clock)
    watched.check()

    watched.stop()
    clock.now += 60
    watched.check()

    assert all(process.terminated and not process.killed for _, process in launcher.started)
    assert len(launcher.started) == 2


def test_a_worker_that_does_not_stop_in_time_is_killed(caplog: pytest.LogCaptureFixture) -> None:
    launcher, clock = Launcher(stubborn=True), Clock()
    watched = supervisor(launcher, clock, count=1)
    watched.check()

    watched.stop()

    assert launcher.latest(0).killed
    assert "did not stop in time: killed" in caplog.text


def test_the_thread_starts_the_workers_and_stop_ends_them() -> None:
    launcher = Launcher()
    watched = WorkerSupervisor(launcher, 2, policy=POLICY, stop_timeout=timedelta(seconds=1))
    thread = SupervisorThread(watched, interval=timedelta(seconds=0.01))

    thread.start()
    assert len(launcher.started) == 2
    thread.stop()

    assert all(process.terminated for _, process in launcher.started)
    assert watched.pids == []


@pytest.mark.parametrize(
    ("code", "described"),
    [
        (0, "code 0"),
        (3, "code 3"),
        (-9, "signal SIGKILL"),
        (-15, "signal SIGTERM"),
        (-99, "signal 99"),
    ],
)
def test_an_exit_is_described_by_its_code_or_its_signal(code: int, described: str) -> None:
    assert describe_exit(code) == described
