"""``ArqJobScheduler``: the ``JobScheduler`` port on arq and Redis.

The arq job id is the report job's own id, so a job is queued at most once and a
worker finds its ``JobExecutionLog`` row by the id it is given.
"""

import asyncio
import dataclasses
from collections.abc import Awaitable, Sequence
from datetime import timedelta
from typing import TypeVar

from arq.connections import ArqRedis, RedisSettings
from arq.constants import in_progress_key_prefix
from arq.utils import timestamp_ms
from redis.asyncio import ConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from adapters.arq.wire import (
    QUEUE_MARKER,
    QUEUE_NAME,
    RUN_REPORT_JOB,
    count_entries,
    deserialize,
    has_waiting_entry,
    job_arguments,
    queue_new_jobs,
    serialize,
    spare_ids,
)
from application.common.errors import JobAlreadyQueued, SchedulerUnavailable
from application.jobs.ports import JobMessage

_HEALTH_CHECK_INTERVAL_SECONDS = 30
#: When a hand-over first found a delivery's arq id marked in progress, kept this much
#: longer than the wait for its worker's claim.
_SEEN_IN_PROGRESS = "reportgen:in-progress-seen:"
_SEEN_KEPT_MS = 3_600_000
_T = TypeVar("_T")


def create_redis(url: str, *, timeout_seconds: float) -> ArqRedis:
    """Build the arq Redis client for enqueuing, without connecting yet.

    Connections are made on first use, so the service starts while Redis is down.
    Every socket operation is bounded by ``timeout_seconds`` and a failed command
    is not retried; the next command opens a fresh connection, so the client
    recovers by itself once Redis is back.
    """
    pool: ConnectionPool = ConnectionPool.from_url(
        url,
        socket_connect_timeout=timeout_seconds,
        socket_timeout=timeout_seconds,
        retry=Retry(NoBackoff(), 0),
        health_check_interval=_HEALTH_CHECK_INTERVAL_SECONDS,
    )
    return ArqRedis(
        pool,
        job_serializer=serialize,
        job_deserializer=deserialize,
        default_queue_name=QUEUE_NAME,
    )


def redis_settings(url: str) -> RedisSettings:
    """The arq worker's Redis settings: a short connect timeout, a few connection attempts.

    A worker started before Redis waits a few seconds for it, then gives up.
    """
    return dataclasses.replace(
        RedisSettings.from_dsn(url), conn_timeout=2, conn_retries=5, conn_retry_delay=1
    )


class ArqJobScheduler:
    """Queues report jobs in Redis for arq workers; every call is bounded in time."""

    def __init__(
        self,
        redis: ArqRedis,
        *,
        timeout_seconds: float,
        abandoned_after: timedelta = timedelta(minutes=2),
    ) -> None:
        self._redis = redis
        self._timeout_seconds = timeout_seconds
        self._abandoned_after_ms = int(abandoned_after.total_seconds() * 1000)

    async def enqueue(self, message: JobMessage) -> None:
        """Queue the report job function (``adapters.arq.wire``) under the delivery's arq
        id (``arq_job_id``: the job's id, then ``<id>:<delivery>``).

        A job is handed over again only while its record says ``Queued``. When arq holds
        the delivery's id marked in progress, a worker took it and has not claimed the job
        yet. A living one claims it within moments (and the claim lets only one run); once
        hand-overs have found the id so for ``abandoned_after`` (the job lease), the worker
        died before its claim, and arq would free the id only after ``job_timeout``: the
        delivery goes under the next of its spare ids (``spare_ids``) instead.

        Raises ``SchedulerUnavailable`` when Redis does not answer in time, and
        ``JobAlreadyQueued`` when arq holds that delivery waiting, or finished with its
        result still kept (or every spare id in progress too).
        """
        try:
            async with asyncio.timeout(self._timeout_seconds):
                for arq_id in spare_ids(message):
                    job = await self._redis.enqueue_job(
                        RUN_REPORT_JOB,
                        *job_arguments(message),
                        _job_id=arq_id,
                        _queue_name=QUEUE_NAME,
                    )
                    if job is not None:
                        return
                    if not await self._abandoned(arq_id):
                        break
        except (RedisError, OSError, TimeoutError) as error:
            raise SchedulerUnavailable("The job queue did not accept the job.") from error
        raise JobAlreadyQueued(message.job_id)

    async def _abandoned(self, arq_id: str) -> bool:
        """Whether arq holds ``arq_id`` marked in progress, and hand-overs have found it so
        for ``abandoned_after`` (the first one to find it so notes when, in Redis)."""
        if not await self._redis.exists(in_progress_key_prefix + arq_id):
            return False
        now_ms, seen = timestamp_ms(), _SEEN_IN_PROGRESS + arq_id
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.set(seen, now_ms, nx=True, px=self._abandoned_after_ms + _SEEN_KEPT_MS)
            pipe.get(seen)
            _, first = await pipe.execute()
        return now_ms - int(first) >= self._abandoned_after_ms

    async def enqueue_new(self, messages: Sequence[JobMessage]) -> None:
        """Queue jobs with fresh ids in one round trip (MULTI/EXEC): all or none.

        Raises ``SchedulerUnavailable`` when Redis does not answer in time.
        """
        try:
            async with asyncio.timeout(self._timeout_seconds):
                async with self._redis.pipeline(transaction=True) as pipe:
                    queue_new_jobs(pipe, messages, self._redis.expires_extra_ms)
                    await pipe.execute()
        except (RedisError, OSError, TimeoutError) as error:
            raise SchedulerUnavailable("The job queue did not accept the job.") from error

    async def ping(self) -> None:
        """Check that Redis answers in time; raise ``SchedulerUnavailable`` if not."""
        try:
            async with asyncio.timeout(self._timeout_seconds):
                await self._redis.ping()
        except (RedisError, OSError, TimeoutError) as error:
            raise SchedulerUnavailable("The job queue does not answer.") from error

    async def unqueued(self, messages: Sequence[JobMessage]) -> list[JobMessage]:
        """The jobs none of whose deliveries arq holds waiting (``has_waiting_entry``), in one
        pipelined round trip of ``EXISTS``; ``SchedulerUnavailable`` when Redis does not
        answer in time."""
        try:
            async with asyncio.timeout(self._timeout_seconds):
                async with self._redis.pipeline(transaction=False) as pipe:
                    sizes = [count_entries(pipe, message) for message in messages]
                    answers: list[int] = await pipe.execute()
        except (RedisError, OSError, TimeoutError) as error:
            raise SchedulerUnavailable("The job queue did not answer.") from error
        lost, start = [], 0
        for message, size in zip(messages, sizes, strict=True):
            if not has_waiting_entry(answers[start : start + size]):
                lost.append(message)
            start += size
        return lost

    async def queue_intact(self) -> bool:
        """Whether Redis holds the marker ``confirm_queue`` set: gone when Redis restarted
        without its data, or was emptied (``FLUSHDB``)."""
        return bool(await self._call(self._redis.exists(QUEUE_MARKER)))

    async def confirm_queue(self) -> None:
        """Set the marker."""
        await self._call(self._redis.set(QUEUE_MARKER, b"1"))

    async def _call(self, command: Awaitable[_T]) -> _T:
        try:
            async with asyncio.timeout(self._timeout_seconds):
                return await command
        except (RedisError, OSError, TimeoutError) as error:
            raise SchedulerUnavailable("The job queue did not answer.") from error

    async def start(self) -> None:
        """Nothing to do: the workers deliver, and Redis is connected on first use."""

    async def stop(self) -> None:
        """Close the Redis connections."""
        await self._redis.aclose(close_connection_pool=True)
