"""Job changes announced on a Redis pub/sub channel: every API process hears every worker."""

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.announcements.hub import Waiter, WaiterHub, decode, encode
from adapters.service_key import service_key
from application.jobs.change_ports import JobChange

logger = logging.getLogger(__name__)

#: Seconds between tries to subscribe again after Redis failed.
_RESUBSCRIBE_SECONDS = 1.0


def changes_channel(database_url: str) -> str:
    """The channel of the service whose job records are in ``database_url``: pub/sub
    ignores Redis's database numbers, so services sharing a Redis stay apart."""
    return f"reportgen:job-changes:{service_key(database_url)}"


class RedisJobChanges:
    """The ``JobChangeAnnouncer`` and ``JobChangeFeed`` ports on Redis pub/sub.

    An announcement is one ``PUBLISH`` (bounded by the client's socket timeout; a
    failure is logged, never raised). The feed holds one subscription per process,
    opened with the first waiter and reopened after a failure, however many wait.
    """

    def __init__(self, redis: Redis, channel: str) -> None:
        self._redis = redis
        self._channel = channel
        self._hub = WaiterHub(self._listen)
        self._failing = False

    async def announce(self, changes: Sequence[JobChange]) -> None:
        """Publish ``changes`` on the channel."""
        if not changes:
            return
        try:
            await self._redis.publish(self._channel, encode(changes))
        except (RedisError, OSError) as error:
            if not self._failing:
                logger.warning("Job changes not announced (Redis): %s", error)
            self._failing = True
        else:
            self._failing = False

    @asynccontextmanager
    async def watch(self, job_id: str) -> AsyncIterator[Waiter]:
        """Changes of ``job_id`` from now on."""
        async with self._hub.watch(job_id) as waiter:
            yield waiter

    async def _listen(self, hub: WaiterHub) -> None:
        while True:
            try:
                await self._subscribed(hub)
            except (RedisError, OSError) as error:
                hub.ready(False)
                logger.warning("Not hearing job changes (Redis): %s; retrying.", error)
                await asyncio.sleep(_RESUBSCRIBE_SECONDS)

    async def _subscribed(self, hub: WaiterHub) -> None:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self._channel)
            hub.ready()
            while True:
                message = await pubsub.get_message(timeout=1.0)
                if message is not None and message["type"] == "message":
                    hub.deliver(decode(message["data"]))
        finally:
            hub.ready(False)
            await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def start(self) -> None:
        """Nothing to open before the first waiter."""

    async def stop(self) -> None:
        """Close the subscription."""
        await self._hub.stop()
