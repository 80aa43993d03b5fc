"""Job changes announced with PostgreSQL's NOTIFY: the embedded mode on a shared PostgreSQL,
where API processes and workers may sit on several hosts with no Redis between them."""

import asyncio
from collections.abc import Sequence
from typing import Final

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.announcements.feed import ChangeFeed
from adapters.announcements.hub import WaiterHub, decode_text, encode_text
from adapters.service_key import service_key
from application.jobs.change_ports import JobChange

#: Changes in one notification (PostgreSQL takes payloads under 8,000 bytes).
_PER_NOTIFY: Final = 60
_RECONNECT_SECONDS: Final = 1.0


def notify_channel(database_url: str) -> str:
    """The channel of the service whose job records are in ``database_url``."""
    return f"reportgen_job_changes_{service_key(database_url)}"


class PostgresJobChanges(ChangeFeed):
    """The ``JobChangeAnnouncer`` and ``JobChangeFeed`` ports on ``NOTIFY``/``LISTEN``.

    An announcement is one ``pg_notify`` on a pooled connection (a failure is
    logged, never raised). The feed holds one listening connection per process,
    outside the pool, opened with the first waiter and opened again after a failure.
    """

    source = "PostgreSQL"
    listen_errors = (asyncpg.PostgresError, OSError, TimeoutError)

    def __init__(self, engine: AsyncEngine, database_url: str, *, timeout_seconds: float) -> None:
        super().__init__(retry_seconds=_RECONNECT_SECONDS)
        self._engine = engine
        self._dsn = make_url(database_url).set(drivername="postgresql")
        self._channel = notify_channel(database_url)
        self._timeout = timeout_seconds

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
            self._announced(error)
        else:
            self._announced()

    async def _listen_once(self, hub: WaiterHub) -> None:
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
