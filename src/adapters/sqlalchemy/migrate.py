"""Apply the Alembic migrations shipped inside this package, from code."""

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from adapters.sqlalchemy.engine import create_engine, storage_errors

MIGRATIONS_DIRECTORY = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    """An Alembic configuration for ``url`` with no ``alembic.ini`` behind it."""
    config = Config()
    # ConfigParser interpolates '%', so a literal one is written twice.
    config.set_main_option("script_location", str(MIGRATIONS_DIRECTORY).replace("%", "%%"))
    config.attributes["url"] = url
    return config


async def upgrade_database(url: str) -> None:
    """Bring the schema at ``url`` to the newest revision; a no-op when it is there already.

    Alembic runs in a worker thread, where ``env.py`` starts its own event loop,
    so this may be awaited from inside a running loop.
    """
    with storage_errors("applying migrations"):
        await asyncio.to_thread(command.upgrade, alembic_config(url), "head")


async def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at, or ``None`` before any migration."""
    engine = create_engine(url)
    try:
        with storage_errors("reading the schema revision"):
            async with engine.connect() as connection:
                return await connection.run_sync(_current_revision)
    finally:
        await engine.dispose()


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
