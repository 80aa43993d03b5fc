"""The write path on a real SQLite file: concurrent generates share durable commits, and each
accepted job has its record and its place in the queue."""

import asyncio
from pathlib import Path

import sqlalchemy as sa
from dependency_injector import providers

from adapters.sqlalchemy.sqlite_threads import units_of_work_engine
from application.common.errors import SchedulerUnavailable
from entrypoints.container import Container
from tests.fakes import FakeScheduler
from tests.integration.seeded import generate, job_rows, seeded_container


async def commits_of(container: Container, work: asyncio.Future[object]) -> int:
    """How many commits the container's database saw while ``work`` ran."""
    commits = 0

    def counted(*_: object) -> None:
        nonlocal commits
        commits += 1

    sa.event.listen(units_of_work_engine(container.engine()), "commit", counted)
    try:
        await work
    finally:
        sa.event.remove(units_of_work_engine(container.engine()), "commit", counted)
    return commits


async def test_concurrent_generates_share_commits_and_each_has_its_record_and_job(
    tmp_path: Path,
) -> None:
    async with seeded_container(tmp_path) as container:
        queue = FakeScheduler()
        container.scheduler.override(providers.Object(queue))
        await container.report_catalog().get("report-123")  # warm, as a running server is

        burst = asyncio.gather(*(generate(container) for _ in range(50)))
        commits = await commits_of(container, burst)

        accepted = {job.job_id for job in burst.result()}
        assert {row["job_id"] for row in await job_rows(container)} == accepted
        assert {message.job_id for message in queue.scheduled} == accepted
        assert 1 <= commits < 10  # a handful of batches, not 50 transactions
        assert queue.round_trips == commits


async def test_a_batch_whose_queue_fails_answers_every_request_with_the_failure(
    tmp_path: Path,
) -> None:
    async with seeded_container(tmp_path) as container:
        queue = FakeScheduler()
        queue.fail = True
        container.scheduler.override(providers.Object(queue))

        outcomes = await asyncio.gather(
            *(generate(container) for _ in range(10)), return_exceptions=True
        )

        assert all(isinstance(outcome, SchedulerUnavailable) for outcome in outcomes)
        assert await job_rows(container) == []
