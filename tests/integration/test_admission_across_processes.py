"""Admission holds across API processes: two containers (two engines, two job intakes, as
two ``serve`` processes have) on one SQLite file, then one PostgreSQL database."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from dependency_injector import providers
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.migrate import upgrade_database
from adapters.sqlalchemy.tables import idempotency_key, job_execution_log
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from application.jobs.admission import IdempotencyKey, JobAccepted, KeyRecord
from application.jobs.generate_report import GenerateReportCommand
from domain.errors import IdempotencyKeyInFlight, TooManyJobs
from entrypoints.container import Container, build_container
from entrypoints.demo import DEMO_REPORTS
from entrypoints.lifecycle import stop_services
from entrypoints.settings import Settings
from tests.builders import analyst, queued_job
from tests.fakes import FakeScheduler

REQUESTS = 40


@asynccontextmanager
async def two_processes(
    data_dir: Path, database_url: str, **variables: str
) -> AsyncIterator[tuple[Container, Container, FakeScheduler]]:
    """Two containers on ``database_url`` holding the demo reports, sharing one queue."""
    env = {"REPORTGEN_DATA_DIR": str(data_dir), "REPORTGEN_DATABASE_URL": database_url}
    env.update({f"REPORTGEN_{name}": value for name, value in variables.items()})
    await upgrade_database(database_url)
    queue = FakeScheduler()
    async with AsyncExitStack() as stack:
        pair = []
        for _ in range(2):
            container = build_container(Settings.from_env(env))
            container.scheduler.override(providers.Object(queue))
            stack.push_async_callback(stop_services, container)
            pair.append(container)
        async with pair[0].unit_of_work() as uow:
            for report in DEMO_REPORTS:
                await uow.reports.add(report)
            await uow.commit()
        for container in pair:
            await container.report_catalog().get("report-123")  # warm, as a running server is
        yield pair[0], pair[1], queue


async def generate(container: Container, key: str | None = None) -> JobAccepted:
    command = GenerateReportCommand(
        principal=analyst("alice"),
        report_id="report-123",
        parameters={"region": "North"},
        idempotency_key=key,
    )
    return await container.generate_report().execute(command)


async def burst(first: Container, second: Container, key: str | None = None) -> list[object]:
    """``REQUESTS`` concurrent generates, every other one through each container."""
    async with asyncio.timeout(30):
        return await asyncio.gather(
            *(generate((first, second)[n % 2], key) for n in range(REQUESTS)),
            return_exceptions=True,
        )


async def count(container: Container, table: sa.Table) -> int:
    async with container.engine().connect() as connection:
        return int((await connection.scalar(sa.select(sa.func.count()).select_from(table))) or 0)


async def test_concurrent_requests_with_one_key_make_one_job_across_processes(
    tmp_path: Path, database_url: str
) -> None:
    async with two_processes(tmp_path, database_url) as (first, second, queue):
        outcomes = await burst(first, second, key="order-42")

        accepted = [o for o in outcomes if isinstance(o, JobAccepted)]
        in_flight = [o for o in outcomes if isinstance(o, IdempotencyKeyInFlight)]
        assert len(accepted) + len(in_flight) == REQUESTS, outcomes
        assert len({a.job_id for a in accepted}) == 1
        assert await count(first, job_execution_log) == 1
        assert await count(first, idempotency_key) == 1
        assert [m.job_id for m in queue.scheduled] == [accepted[0].job_id]
        # Once the first is committed, every retry, through either process, gets its job.
        assert await generate(second, "order-42") == await generate(first, "order-42")


async def test_a_burst_from_one_caller_over_two_processes_gets_exactly_its_rate(
    tmp_path: Path, database_url: str
) -> None:
    async with two_processes(tmp_path, database_url, GENERATE_RATE_PER_MINUTE="7") as (
        first,
        second,
        queue,
    ):
        outcomes = await burst(first, second)

        accepted = [o for o in outcomes if isinstance(o, JobAccepted)]
        refused = [o for o in outcomes if isinstance(o, TooManyJobs)]
        assert (len(accepted), len(refused)) == (7, REQUESTS - 7), outcomes
        assert all(1 <= r.retry_after_seconds <= 60 for r in refused)
        assert await count(first, job_execution_log) == 7
        assert {m.job_id for m in queue.scheduled} == {a.job_id for a in accepted}


async def test_the_unfinished_cap_holds_across_processes(tmp_path: Path, database_url: str) -> None:
    async with two_processes(tmp_path, database_url, MAX_UNFINISHED_JOBS_PER_CALLER="4") as (
        first,
        second,
        _,
    ):
        outcomes = await burst(first, second)

        assert sum(isinstance(o, JobAccepted) for o in outcomes) == 4
        assert sum(isinstance(o, TooManyJobs) for o in outcomes) == REQUESTS - 4
        assert await count(first, job_execution_log) == 4


async def test_the_sweep_forgets_the_oldest_keys_first(engine: AsyncEngine) -> None:
    now = datetime.now(UTC)
    records = [
        KeyRecord(IdempotencyKey("alice", "report-123", f"k{n}", "f"), f"job-{n}", now - age)
        for n, age in enumerate(timedelta(hours=hours) for hours in (30, 26, 25, 1))
    ]
    async with SqlAlchemyUnitOfWork(engine) as uow:
        await uow.admission.record_keys(records)
        await uow.commit()

    async with SqlAlchemyUnitOfWork(engine) as uow:
        forgotten = await uow.admission.forget_keys_before(now - timedelta(hours=24), limit=2)
        await uow.commit()
    async with SqlAlchemyUnitOfWork(engine) as uow:
        left = await uow.admission.find_keys([record.key for record in records])

    assert forgotten == 2
    assert sorted(record.key.key for record in left) == ["k2", "k3"]


async def test_the_job_that_decides_a_rate_refusal_is_read_alone(engine: AsyncEngine) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    made = [now - timedelta(seconds=seconds) for seconds in (50, 40, 30, 20, 90)]
    async with SqlAlchemyUnitOfWork(engine) as uow:
        await uow.jobs.add(*(queued_job(at, requested_by="alice") for at in made))
        await uow.jobs.add(queued_job(now - timedelta(seconds=45), requested_by="bob"))
        await uow.commit()

    since = now - timedelta(minutes=1)
    async with SqlAlchemyUnitOfWork(engine) as uow:
        found = [await uow.admission.created_since("alice", since, skip=n) for n in range(5)]

    # The four of the last minute, oldest first; the one from 90 s ago is not counted.
    assert found == [made[0], made[1], made[2], made[3], None]
