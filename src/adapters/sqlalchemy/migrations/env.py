"""Alembic environment: runs the migrations on the async engine for the configured URL.

The URL comes from ``config.attributes["url"]`` (set by ``migrate.py``), else
from the ``sqlalchemy.url`` option. Online migrations start their own event
loop, so ``migrate.py`` runs Alembic in a worker thread.
"""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.tables import metadata

config = context.config


def _database_url() -> str:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("No database URL was given to the migrations.")
    return str(url)


def _run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_engine(_database_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_migrations)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_database_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
