"""Running an arq worker that outlives a Redis outage and stops within a bounded time."""

import asyncio
import contextlib
import dataclasses
import logging
import math
from datetime import timedelta
from typing import Any

from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.worker import create_worker
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

#: How long a stopping worker waits for Redis to take its last writes (its entries).
CLOSE_SECONDS = 10


class _PatientBackoff(ExponentialBackoff):
    """Up to a second between attempts; says once per outage that Redis does not answer."""

    def __init__(self) -> None:
        super().__init__(cap=1.0, base=0.05)

    def compute(self, failures: int) -> float:
        if failures == 1:
            logger.warning("Redis does not answer; the worker waits for it and carries on.")
        return float(super().compute(failures))


def enduring(settings: RedisSettings) -> RedisSettings:
    """``settings`` whose commands are tried again until Redis answers: a worker that has
    started waits out a Redis restart instead of exiting."""
    settings.retry = Retry(_PatientBackoff(), retries=-1)
    settings.retry_on_error = [RedisConnectionError, RedisTimeoutError, OSError]
    return settings


async def _connect(settings: dict[str, Any]) -> ArqRedis:
    """A pool on the worker's Redis: the first connection is tried a few times only (a
    worker started without Redis says so and exits), later commands until Redis answers."""
    options = {
        "job_serializer": settings["job_serializer"],
        "job_deserializer": settings["job_deserializer"],
        "default_queue_name": settings["queue_name"],
    }
    probe = await create_pool(settings["redis_settings"], **options)
    await probe.aclose(close_connection_pool=True)
    return await create_pool(enduring(dataclasses.replace(settings["redis_settings"])), **options)


def run_worker(settings: dict[str, Any], *, burst: bool, grace: timedelta) -> None:
    """Run an arq worker until SIGINT or SIGTERM (or, with ``burst``, the queue is empty).

    On the signal it takes no new job and waits up to ``grace`` for its running jobs;
    those still running are then cancelled, which gives them back to the queue. Its
    last writes to Redis are given ``CLOSE_SECONDS``; a Redis that is down then does
    not keep it from exiting.
    """
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        pool = loop.run_until_complete(_connect(settings))
        worker = create_worker(
            settings,
            burst=burst,
            redis_pool=pool,
            job_completion_wait=math.ceil(grace.total_seconds()),
        )
        worker.main_task = main = loop.create_task(worker.main())
        signalled: list[object] = []

        def stopping(signum: object) -> None:
            signalled.append(signum)
            _insist_on_cancelling(main)

        worker.on_stop = stopping
        try:
            with contextlib.suppress(asyncio.CancelledError):
                loop.run_until_complete(main)
        finally:
            if not signalled:  # it stopped on an error: give the running jobs back
                for task in worker.tasks.values():
                    task.cancel()
            closing = loop.create_task(worker.close())
            loop.call_later(CLOSE_SECONDS, _insist_on_cancelling, closing)
            try:
                loop.run_until_complete(closing)
            except asyncio.CancelledError:
                logger.warning(
                    "Redis did not answer while the worker stopped; the jobs it gave back "
                    "are handed to the queue again by the sweep."
                )
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def _insist_on_cancelling(task: "asyncio.Task[Any]") -> None:
    """Cancel ``task``, and again every second until it ends: a cancellation that races
    one of redis-py's own timeouts can be lost, and the worker must stop all the same."""
    if not task.done():
        task.cancel()
        asyncio.get_running_loop().call_later(1, _insist_on_cancelling, task)
