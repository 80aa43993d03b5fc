"""How many jobs wait in arq's queue, read synchronously (for a metrics scrape)."""

from collections.abc import Callable

import redis

from adapters.arq.wire import QUEUE_NAME


def queue_depth_reader(redis_url: str, *, timeout_seconds: float) -> Callable[[], int]:
    """A function that answers the number of jobs in the queue (each call one ``ZCARD``);
    it raises ``redis.RedisError`` when Redis does not answer within ``timeout_seconds``."""
    client = redis.Redis.from_url(
        redis_url, socket_connect_timeout=timeout_seconds, socket_timeout=timeout_seconds
    )

    def depth() -> int:
        count: int = client.zcard(QUEUE_NAME)  # type: ignore[assignment]  # sync client
        return count

    return depth
