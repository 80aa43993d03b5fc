"""The arq worker of ``reportgen worker``, run in-process against the real Redis and SQLite."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from arq import Retry
from arq.jobs import Job, JobResult, JobStatus
from arq.worker import create_worker
from dependency_injector import providers

from adapters.arq.wire import QUEUE_NAME, RUN_REPORT_JOB, deserialize
from adapters.sqlalchemy.data_sources import SqlAlchemyReportQueries
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from application.common.errors import StorageUnavailable
from application.jobs.policy import JobPolicy
from application.jobs.ports import JobMessage
from domain.job_status import JobStatus as JobState
from entrypoints.container import Container
from entrypoints.worker import worker_settings
from tests.integration.seeded import SALES_ROWS, generate, job_rows, seeded_container

pytestmark = [
    pytest.mark.redis,
    # arq's Worker.close still calls redis-py's deprecated close().
    pytest.mark.filterwarnings("ignore:Call to deprecated close:DeprecationWarning"),
]


class CommitFailsUnitOfWork(SqlAlchemyUnitOfWork):
    """Takes the job row, then fails to commit it."""

    async def commit(self) -> None:
        raise StorageUnavailable("The database did not answer the commit.")


@pytest.fixture
async def container(tmp_path: Path, redis_url: str) -> AsyncIterator[Container]:
    async with seeded_container(tmp_path, {"REPORTGEN_REDIS_URL": redis_url}) as container:
        yield container


def run_report_job(container: Container) -> Callable[..., Awaitable[str]]:
    """The job function the worker registers, as arq calls it: ``(ctx, job_id, requested_at)``."""
    [function] = worker_settings(container.settings(), container)["functions"]
    assert function.name == RUN_REPORT_JOB
    job_function: Callable[..., Awaitable[str]] = function.coroutine
    return job_function


async def run_worker(
    container: Container, job_id: str, **options: Any
) -> tuple[JobStatus, JobResult | None]:
    """Run the queued jobs in the real worker (burst mode); return ``job_id``'s arq state."""
    settings = worker_settings(container.settings(), container)
    worker = create_worker(settings, burst=True, poll_delay=0.05, handle_signals=False, **options)
    try:
        async with asyncio.timeout(10):
            await worker.main()
            job = Job(job_id, worker.pool, QUEUE_NAME, _deserializer=deserialize)
            return await job.status(), await job.result_info()
    finally:
        await worker.close()


async def test_a_generated_job_is_run_by_the_worker_to_success(container: Container) -> None:
    accepted = await generate(container)

    status, result = await run_worker(container, accepted.job_id)

    assert status is JobStatus.complete
    assert result is not None
    assert (result.function, result.success, result.result) == (RUN_REPORT_JOB, True, "succeeded")
    [row] = await job_rows(container)
    assert (row["job_id"], row["status"]) == (accepted.job_id, "Succeeded")
    assert row["row_count"] == SALES_ROWS


async def test_a_second_delivery_of_a_finished_job_does_nothing(container: Container) -> None:
    accepted = await generate(container)
    await run_worker(container, accepted.job_id)
    [before] = await job_rows(container)
    ctx = {"job_try": 2}

    outcome = await run_report_job(container)(ctx, accepted.job_id, accepted.created_at.isoformat())

    assert outcome == "already_handled"
    assert await job_rows(container) == [before]


async def test_a_job_whose_commit_failed_after_the_enqueue_is_dropped_by_the_worker(
    container: Container,
) -> None:
    container.unit_of_work.override(providers.Factory(CommitFailsUnitOfWork, container.engine))
    with pytest.raises(StorageUnavailable):
        await generate(container)
    container.unit_of_work.reset_override()

    [job_key] = await container.redis().keys("arq:job:*")
    assert await job_rows(container) == []
    no_grace = replace(container.settings(), jobs=JobPolicy(row_grace_period=timedelta(0)))
    container.settings.override(providers.Object(no_grace))
    status, result = await run_worker(container, job_key.decode().removeprefix("arq:job:"))

    assert status is JobStatus.complete
    assert result is not None
    assert (result.success, result.result) == (True, "dropped")
    assert await job_rows(container) == []


async def test_a_job_whose_row_is_not_visible_yet_goes_back_to_the_queue_deferred(
    container: Container,
) -> None:
    message = JobMessage(job_id=str(uuid.uuid4()), requested_at=container.clock().now())
    await container.scheduler().enqueue(message)

    status, result = await run_worker(container, message.job_id, max_burst_jobs=1)

    assert status is JobStatus.deferred
    assert result is None


async def test_the_job_function_looks_for_a_missing_row_again_after_a_short_fixed_delay(
    container: Container,
) -> None:
    policy = container.settings().jobs
    requested_at = container.clock().now().isoformat()

    for job_try in (1, 5):
        ctx = {"job_try": job_try}
        with pytest.raises(Retry) as raised:
            await run_report_job(container)(ctx, str(uuid.uuid4()), requested_at)
        assert raised.value.defer_score == policy.missing_row_retry.total_seconds() * 1000


async def test_an_unavailable_data_source_requeues_the_job_with_backoff_then_fails_it(
    container: Container,
) -> None:
    unreachable = "postgresql+asyncpg://reports@127.0.0.1:1/sales"  # nothing listens on port 1
    container.report_queries.override(
        providers.Singleton(SqlAlchemyReportQueries, {"demo": unreachable}, timeout_seconds=1.0)
    )
    policy = container.settings().jobs
    accepted = await generate(container)
    requested_at = accepted.created_at.isoformat()

    defers = []
    for attempt in range(1, policy.max_attempts):
        ctx = {"job_try": attempt}
        with pytest.raises(Retry) as raised:
            await run_report_job(container)(ctx, accepted.job_id, requested_at)
        [row] = await job_rows(container)
        assert (row["status"], row["attempts"]) == ("Queued", attempt)
        defers.append(timedelta(milliseconds=raised.value.defer_score or 0))

    assert defers[0] == policy.first_retry
    assert defers == [policy.retry_delay(n) for n in range(1, policy.max_attempts)]
    last = {"job_try": policy.max_attempts}
    assert await run_report_job(container)(last, accepted.job_id, requested_at) == "failed"
    [row] = await job_rows(container)
    assert row["status"] == "Failed"
    assert row["error"] == (
        f"The data source 'demo' is unavailable. Gave up after {policy.max_attempts} attempts."
    )


async def test_the_workers_cron_sweep_requeues_a_job_whose_worker_died(
    container: Container,
) -> None:
    accepted = await generate(container)
    async with container.unit_of_work() as uow:
        job = await uow.jobs.get(accepted.job_id)
        assert job is not None
        job.start(job.created_at, job.created_at)  # a lease that ended at once: the worker died
        assert await uow.jobs.save(job, if_status=JobState.QUEUED)
        await uow.commit()
    await container.redis().delete(f"arq:job:{accepted.job_id}")  # its queue entry is gone too
    [sweep] = worker_settings(container.settings(), container)["cron_jobs"]

    summary = await sweep.coroutine({})

    assert "requeued=1" in summary
    [row] = await job_rows(container)
    assert (row["status"], row["attempts"]) == ("Queued", 1)
    assert await container.redis().exists(f"arq:job:{accepted.job_id}:1")  # its second delivery
