"""An embedded job worker: the process that runs the jobs when there is no Redis.

``reportgen serve`` starts ``python -m entrypoints.embedded_worker --number N``
for each of its ``REPORTGEN_EMBEDDED_WORKERS`` workers, with the same
environment, and keeps the write end of the worker's standard input: the worker
stops on SIGTERM or SIGINT, and also when its standard input ends, which
happens when ``serve`` dies however it dies (even by SIGKILL), so that no
worker outlives its server. Worker 0 also runs the periodic sweep.
"""

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Sequence

from adapters.embedded.wakeup import WakeUpListener
from entrypoints.container import Container, build_container
from entrypoints.lifecycle import Service, start_all, stop_all
from entrypoints.logs import configure_logging
from entrypoints.settings import Settings, SettingsError
from entrypoints.tracing import start_tracing

logger = logging.getLogger("entrypoints.embedded_worker")  # also when run as __main__

#: The worker that sweeps: one sweep at a time is enough (concurrent ones are harmless).
SWEEPER = 0


class EmbeddedWorker:
    """What one embedded worker runs: the job runner, its wake-up listener and (worker 0)
    the sweep, on the container's database and data sources."""

    def __init__(self, container: Container, number: int) -> None:
        runner = container.embedded_runner()
        address = container.embedded_wake_addresses()[number]
        self._services: list[Service] = [
            container.database(),
            container.report_queries(),
            WakeUpListener(address, runner.wake),
            runner,
        ]
        if number == SWEEPER:
            self._services.append(container.embedded_sweeper())
        if (callbacks := container.callback_dispatcher()) is not None:
            self._services.append(callbacks)  # stopped first: the sweep sends what it left

    async def start(self) -> None:
        """Start everything, in order."""
        await start_all(self._services)

    async def stop(self) -> None:
        """Stop everything, in reverse order; one that fails does not keep the others from
        stopping (a job cut off runs again once its lease expires)."""
        await stop_all(self._services)


async def run(settings: Settings, number: int) -> None:
    """Run embedded worker ``number`` until a signal, or the end of its standard input."""
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)

    def read_input() -> None:
        if not os.read(sys.stdin.fileno(), 4096):  # the end: serve is gone
            loop.remove_reader(sys.stdin.fileno())
            stopping.set()

    loop.add_reader(sys.stdin.fileno(), read_input)
    worker = EmbeddedWorker(build_container(settings), number)
    await worker.start()
    logger.info("Embedded job worker %d running (pid %d).", number, os.getpid())
    try:
        await stopping.wait()
    finally:
        await worker.stop()
        logger.info("Embedded job worker %d stopped.", number)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one embedded worker; bad settings end it with one clear line (exit code 2)."""
    parser = argparse.ArgumentParser(prog="python -m entrypoints.embedded_worker")
    parser.add_argument("--number", type=int, default=0, help="which worker, from 0")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(os.environ)
        configure_logging(settings)
        if settings.uses_redis:
            raise SettingsError("REPORTGEN_REDIS_URL is set: jobs run in `reportgen worker`.")
        if not 0 <= args.number < settings.limits.embedded_workers:
            raise SettingsError(
                f"--number must be from 0 to REPORTGEN_EMBEDDED_WORKERS - 1 "
                f"({settings.limits.embedded_workers - 1})."
            )
    except SettingsError as exc:
        print(f"embedded worker: {exc}", file=sys.stderr)
        return 2
    start_tracing(settings.tracing, "worker")
    asyncio.run(run(settings, args.number))
    return 0


if __name__ == "__main__":
    sys.exit(main())
