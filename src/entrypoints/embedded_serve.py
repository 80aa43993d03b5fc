"""The embedded workers of ``reportgen serve``: started before the API, watched while it
serves, stopped after it (no Redis configured)."""

import logging
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from types import FrameType

from adapters.embedded.supervisor import (
    RestartPolicy,
    SupervisorThread,
    WorkerProcess,
    WorkerSupervisor,
)
from adapters.embedded.wakeup import PING, WakeUpSender, wake_addresses
from entrypoints.settings import Settings

logger = logging.getLogger(__name__)

#: How often serve looks for a worker that exited.
WATCH_INTERVAL = timedelta(seconds=0.2)
#: How long serve waits for its workers to listen before it serves anyway (not ready).
START_TIMEOUT = timedelta(seconds=20)
#: How long a worker has to stop (its runners wait 5 s for their jobs) before it is killed.
STOP_TIMEOUT = timedelta(seconds=10)


class StopServing(BaseException):
    """SIGINT or SIGTERM arrived while serve was not serving (or after uvicorn stopped)."""


def start_worker(number: int) -> WorkerProcess:
    """``python -m entrypoints.embedded_worker --number N`` with serve's environment.

    Its standard input is a pipe serve holds: it ends when serve dies, and the worker
    stops then. It runs in a session of its own, so that a Ctrl-C in the terminal reaches
    serve only, which stops its workers once the API has stopped.
    """
    command = [sys.executable, "-m", "entrypoints.embedded_worker", "--number", str(number)]
    return subprocess.Popen(command, stdin=subprocess.PIPE, start_new_session=True)  # noqa: S603


def wait_until_listening(
    sender: WakeUpSender, count: int, timeout: timedelta, *, pause: float = 0.05
) -> bool:
    """Whether ``count`` workers listen for wake-ups within ``timeout``."""
    deadline = time.monotonic() + timeout.total_seconds()
    while sender.send(PING) < count:
        if time.monotonic() >= deadline:
            return False
        time.sleep(pause)
    return True


@contextmanager
def embedded_workers(
    settings: Settings, start: Callable[[int], WorkerProcess] = start_worker
) -> Iterator[None]:
    """Run the embedded workers for the block (nothing with Redis). A SIGINT or SIGTERM
    that reaches this process outside of uvicorn ends the block (``StopServing``, caught
    here); the workers are always stopped on the way out."""
    if settings.uses_redis:
        yield
        return
    count = settings.limits.embedded_workers
    watcher = SupervisorThread(
        WorkerSupervisor(start, count, policy=RestartPolicy(), stop_timeout=STOP_TIMEOUT),
        interval=WATCH_INTERVAL,
    )
    sender = WakeUpSender(wake_addresses(settings.database_url, count))
    previous = {sig: signal.signal(sig, _stop_serving) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        watcher.start()
        if not wait_until_listening(sender, count, START_TIMEOUT):
            logger.warning("The embedded job workers are not all running yet; serving anyway.")
        yield
    except StopServing:
        logger.info("Stopping.")
    finally:
        # From here on a signal no longer interrupts: the workers are being stopped.
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)
        sender.close()
        watcher.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        logger.info("The embedded job workers stopped.")


def _stop_serving(signum: int, _: FrameType | None) -> None:
    raise StopServing(signum)
