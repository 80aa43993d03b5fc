"""Fixtures of the fault cases: a private redis-server, a deployment on it."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.stack import Deployment
from tests.support.redis_server import RedisServer


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of the test's own, started; killed afterwards."""
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def queued(tmp_path: Path, private_redis: RedisServer) -> Iterator[Deployment]:
    """``reportgen serve`` on ``private_redis`` and SQLite, with one ``reportgen worker``."""
    with Deployment(tmp_path, redis_url=private_redis.url) as deployment:
        deployment.start_api()
        deployment.start_worker()
        yield deployment
