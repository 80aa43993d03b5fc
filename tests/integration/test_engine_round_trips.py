"""The engine's connections cost no round trip they need not: a committed transaction is not
rolled back again on its way back to the pool, and an uncommitted one still is."""

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.tables import job_execution_log


@pytest.fixture
async def rollbacks(engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every rollback the engine's dialect sends to the database once it is connected."""
    async with engine.connect():
        pass  # the first connection sets the dialect up, rollback included
    sent: list[object] = []
    dialect = engine.dialect
    original = dialect.do_rollback

    def counted(dbapi_connection: object) -> None:
        sent.append(dbapi_connection)
        original(dbapi_connection)  # type: ignore[arg-type]

    monkeypatch.setattr(dialect, "do_rollback", counted)
    return sent


async def test_a_committed_transaction_is_not_rolled_back_on_return(
    engine: AsyncEngine, rollbacks: list[object]
) -> None:
    async with engine.connect() as connection:
        await connection.execute(sa.select(sa.func.count()).select_from(job_execution_log))
        await connection.commit()

    assert rollbacks == []


async def test_an_uncommitted_transaction_is_rolled_back_once_and_keeps_nothing(
    engine: AsyncEngine, rollbacks: list[object]
) -> None:
    async with engine.connect() as connection:
        await connection.execute(sa.text("DELETE FROM alembic_version"))

    assert len(rollbacks) == 1
    async with engine.connect() as connection:
        versions = (await connection.execute(sa.text("SELECT * FROM alembic_version"))).all()
    assert len(versions) == 1
