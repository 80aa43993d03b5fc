"""The service's database locked past its timeout (SQLite) or refusing and dropping
connections (PostgreSQL) while clients ask for reports."""

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.faults.invariants import check
from tests.faults.stack import Deployment, wait_until
from tests.support.postgres import POSTGRES_ADDRESS
from tests.support.redis_server import RedisServer

JOBS_SECONDS = 60


def test_generate_answers_503_while_another_process_holds_the_sqlite_write_lock(
    tmp_path: Path,
) -> None:
    with Deployment(tmp_path) as embedded:  # no Redis: embedded workers, the database queue
        embedded.start_api()
        before = [embedded.generate() for _ in range(5)]
        # Fault: another process takes SQLite's write lock and keeps it past the 1 s timeout.
        with contextlib.closing(sqlite3.connect(tmp_path / "reportgen.sqlite3")) as intruder:
            intruder.isolation_level = None
            intruder.execute("BEGIN EXCLUSIVE")
            during = embedded.fire(requests=6, clients=3)
            intruder.execute("ROLLBACK")
        after = [embedded.generate() for _ in range(3)]

        outcome = check(
            embedded.ledger,
            embedded.rows,
            results=embedded.results,
            logs=tmp_path,
            seconds=JOBS_SECONDS,
        )

    assert [answer.status for answer in before + after] == [202] * 8
    assert [answer.status for answer in during] == [503] * 6
    assert all("database" in str(answer.error) for answer in during), during
    assert {row.status for row in outcome.rows.values()} == {"Succeeded"}


def admin(statement: str, *arguments: object) -> None:
    """Run one statement on PostgreSQL's ``postgres`` database, as its superuser."""

    async def run() -> None:
        connection = await asyncpg.connect(f"postgresql://{POSTGRES_ADDRESS}/postgres", timeout=5)
        try:
            await connection.execute(statement, *arguments)
        finally:
            await connection.close()

    asyncio.run(run())


def terminate_connections(database: str) -> None:
    """Cut every connection to ``database`` from the server's side."""
    admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = $1 AND pid <> pg_backend_pid()",
        database,
    )


@pytest.fixture
def on_postgres(
    tmp_path: Path, private_redis: RedisServer, postgres_url: str
) -> Iterator[Deployment]:
    """serve and one worker on PostgreSQL and ``private_redis``."""
    with Deployment(tmp_path, redis_url=private_redis.url, database_url=postgres_url) as stack:
        stack.start_api()
        stack.start_worker()
        yield stack


@pytest.mark.postgres
def test_generate_answers_503_while_postgresql_drops_and_refuses_connections(
    on_postgres: Deployment,
) -> None:
    assert on_postgres.database_url is not None
    database = on_postgres.database_url.rsplit("/", 1)[1]
    with on_postgres.burst(clients=4) as burst:
        wait_until(lambda: burst.count(202) >= 10, 30, "the first jobs accepted")
        # Fault 1: the server terminates every connection of the service, twice.
        terminate_connections(database)
        wait_until(lambda: len(burst.answers) >= 30, 30, "answers after the cut")
        terminate_connections(database)
        # Fault 2: the database refuses new connections, and drops the open ones.
        admin(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        terminate_connections(database)
        wait_until(lambda: burst.count(503) >= 10, 30, "503s while the database refuses")
        accepted = burst.count(202)
        admin(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        wait_until(lambda: burst.count(202) >= accepted + 10, 30, "jobs accepted again")

    outcome = check(
        on_postgres.ledger,
        on_postgres.rows,
        results=on_postgres.results,
        logs=on_postgres.data_dir,
        seconds=JOBS_SECONDS,
    )

    assert on_postgres.ledger.count(503) >= 10
    assert {row.status for row in outcome.rows.values()} == {"Succeeded"}
