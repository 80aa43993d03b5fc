"""Pytest plugin: a private Redis database for each test run.

Load it with ``-p tests.support.redis`` or ``pytest_plugins``. The ``redis_url``
fixture claims one of the databases 1..15 of the Redis on 127.0.0.1:6379 for the
whole run (a ``reportgen-test-db:<n>`` key on database 0, set with ``NX`` and an
expiry), empties it before and after every test, and releases it at the end. Test
runs that happen at the same time therefore never see each other's keys.

When Redis does not answer, the tests that need it are skipped, except under
``CI=true``, where they fail.
"""

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NoReturn

import pytest
import redis

HOST = "127.0.0.1"
PORT = 6379
_CLAIM_KEY = "reportgen-test-db:{}"
_CLAIM_SECONDS = 3600
_DATABASES = range(1, 16)
# Delete the claim only if it is still ours (it may have expired and been taken).
_RELEASE_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass(frozen=True)
class _Claim:
    database: int
    token: str
    admin: redis.Redis
    client: redis.Redis

    @property
    def key(self) -> str:
        return _CLAIM_KEY.format(self.database)


def _connect(database: int) -> redis.Redis:
    return redis.Redis(
        host=HOST, port=PORT, db=database, socket_connect_timeout=1, socket_timeout=5
    )


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def _redis_claim() -> Iterator[_Claim]:
    admin = _connect(0)
    try:
        admin.ping()
    except redis.RedisError as error:
        admin.close()
        _unavailable(f"Redis is not reachable on {HOST}:{PORT}: {error}")
    token = secrets.token_hex(16)
    database = next(
        (
            n
            for n in _DATABASES
            if admin.set(_CLAIM_KEY.format(n), token, nx=True, ex=_CLAIM_SECONDS)
        ),
        None,
    )
    if database is None:
        admin.close()
        pytest.fail(f"All Redis test databases on {HOST}:{PORT} are claimed by other test runs.")
    claim = _Claim(database, token, admin, _connect(database))
    claim.client.flushdb()
    try:
        yield claim
    finally:
        claim.client.flushdb()
        admin.eval(_RELEASE_SCRIPT, 1, claim.key, token)
        claim.client.close()
        admin.close()


@pytest.fixture
def redis_url(_redis_claim: _Claim) -> Iterator[str]:
    """The URL of this run's own, empty Redis database; emptied again after the test."""
    _redis_claim.admin.expire(_redis_claim.key, _CLAIM_SECONDS)
    _redis_claim.client.flushdb()
    yield f"redis://{HOST}:{PORT}/{_redis_claim.database}"
    _redis_claim.client.flushdb()
