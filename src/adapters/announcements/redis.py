"""Job changes announced on a Redis pub/sub channel: every API process hears every worker."""

from collections.abc import Sequence

from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.announcements.feed import ChangeFeed
from adapters.announcements.hub import WaiterHub, decode, encode
from adapters.service_key import service_key
from application.jobs.change_ports import JobChange

#: Seconds between tries to subscribe again after Redis failed.
_RESUBSCRIBE_SECONDS = 1.0


def changes_channel(database_url: str) -> str:
    """The channel of the service whose job records are in ``database_url``: pub/sub
    ignores Redis's database numbers, so services sharing a Redis stay apart."""
    return f"reportgen:job-changes:{service_key(database_url)}"


class RedisJobChanges(ChangeFeed):
    """The ``JobChangeAnnouncer`` and ``JobChangeFeed`` ports on Redis pub/sub.

    An announcement is one ``PUBLISH`` (bounded by the client's socket timeout; a
    failure is logged, never raised). The feed holds one subscription per process,
    opened with the first waiter and reopened after a failure, however many wait.
    """

    source = "Redis"
    listen_errors = (RedisError, OSError)

    def __init__(self, redis: Redis, channel: str) -> None:
        super().__init__(retry_seconds=_RESUBSCRIBE_SECONDS)
        self._redis = redis
        self._channel = channel

    async def announce(self, changes: Sequence[JobChange]) -> None:
        """Publish ``changes`` on the channel."""
        if not changes:
            return
        try:
            await self._redis.publish(self._channel, encode(changes))
        except (RedisError, OSError) as error:
            self._announced(error)
        else:
            self._announced()

    async def _listen_once(self, hub: WaiterHub) -> None:
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
