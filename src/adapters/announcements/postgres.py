"""Job changes announced with PostgreSQL's NOTIFY: the embedded mode on a shared PostgreSQL,
where API processes and workers may sit on several hosts with no Redis between them."""

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Final

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.announcements.hub import Waiter, WaiterHub, decode_text, encode_text
from adapters.service_key import service_key
from application.jobs.change_ports import JobChange

logger = logging.getLogger(__name__)

#: Changes in one notification (PostgreSQL takes payloads under 8,000 bytes).
_PER_NOTIFY: Final = 60
_RECONNECT_SECONDS: Final = 1.0


def notify_channel(database_url: str) -> str:
    """The channel of the service whose job records are in ``database_url``."""
    return f"reportgen_job_changes_{service_key(database_url)}"


class PostgresJobChanges:
    """The ``JobChangeAnnouncer`` and ``JobChangeFeed`` ports on ``NOTIFY``/``LISTEN``.

    An announcement is one ``pg_notify`` on a pooled connection (a failure is
    logged, never raised). The feed holds one listening connection per process,
    outside the pool, opened with the first waiter and opened again after a failure.
    """

    def __init__(self, engine: AsyncEngine, database_url: str, *, timeout_seconds: float) -> None:
        self._engine = engine
        self._dsn = make_url(database_url).set(drivername="postgresql")
        self._channel = notify_channel(database_url)
        self._timeout = timeout_seconds
        self._hub = WaiterHub(self._listen)
        self._failing = False

    async def announce(self, changes: Sequence[JobChange]) -> None:
        """Notify every listening process of ``changes``."""
        if not changes:
            return
        try:
            async with self._engine.connect() as connection:
                for first in range(0, len(changes), _PER_NOTIFY):
                    payload = encode_text(changes[first : first + _PER_NOTIFY])
                    await connection.execute(sa.select(sa.func.pg_notify(self._channel, payload)))
                await connection.commit()
        except (SQLAlchemyError, OSError) as error:
            if not self._failing:
                logger.warning("Job changes not announced (PostgreSQL): %s", error)
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
                await self._listening(hub)
            except (asyncpg.PostgresError, OSError, TimeoutError) as error:
                logger.warning("Not hearing job changes (PostgreSQL): %s; retrying.", error)
            hub.ready(False)
            await asyncio.sleep(_RECONNECT_SECONDS)

    async def _listening(self, hub: WaiterHub) -> None:
        dsn = self._dsn.render_as_string(hide_password=False)
        connection = await asyncpg.connect(dsn, timeout=self._timeout)
        lost = asyncio.Event()

        def heard(_: object, __: int, ___: str, payload: object) -> None:
            hub.deliver(decode_text(str(payload)))

        try:
            connection.add_termination_listener(lambda _: lost.set())
            await connection.add_listener(self._channel, heard)
            hub.ready()
            await lost.wait()
            raise OSError("the listening connection was closed")
        finally:
            hub.ready(False)
            connection.terminate()

    async def start(self) -> None:
        """Nothing to open before the first waiter."""

    async def stop(self) -> None:
        """Close the listening connection."""
        await self._hub.stop()
