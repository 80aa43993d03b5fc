"""Reading, listing, cancelling and downloading jobs: ownership and states, with fakes."""

from datetime import timedelta

import pytest

from application.jobs.cancel_job import CancelJobCommand, CancelJobUseCase
from application.jobs.download_result import DownloadResultQuery, DownloadResultUseCase
from application.jobs.get_job import GetJobQuery, GetJobUseCase
from application.jobs.list_jobs import ListJobsQuery, ListJobsUseCase
from domain.errors import (
    JobAlreadyFinished,
    JobNotFound,
    JobNotReady,
    PermissionDenied,
    ResultExpired,
)
from domain.job_results import StoredResult
from domain.job_status import JobStatus
from domain.jobs import Job
from domain.principal import ADMIN_SCOPE, Principal
from tests.builders import analyst, queued_job
from tests.fakes import FakeClock, FakeUnitOfWork
from tests.report_fakes import InMemoryResultStore

ALICE = analyst("alice")
BOB = analyst("bob")
ADMIN = Principal("root", scopes=frozenset({ADMIN_SCOPE}))
CALLERS = {"alice": ALICE, "admin": ADMIN}
RESULT = StoredResult("k.csv", "report-123-k.csv", "text/csv", 10, "ab" * 32, 2)


def canceller(
    uow: FakeUnitOfWork, clock: FakeClock, files: InMemoryResultStore | None = None
) -> CancelJobUseCase:
    return CancelJobUseCase(unit_of_work=uow, clock=clock, store=files or InMemoryResultStore())


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def store(uow: FakeUnitOfWork, job: Job) -> Job:
    uow.database.jobs[job.id] = job
    return job


def downloads(uow: FakeUnitOfWork, clock: FakeClock) -> DownloadResultUseCase:
    """The download use case on a store that keeps ``RESULT``'s file."""
    files = InMemoryResultStore()
    files.files[RESULT.key] = b"0123456789"
    return DownloadResultUseCase(unit_of_work=uow, store=files, clock=clock)


def succeeded(clock: FakeClock, ttl: float = 3600) -> Job:
    job = queued_job(clock.now())
    job.start(clock.now(), clock.now())
    job.succeed(RESULT, clock.now(), clock.now() + timedelta(seconds=ttl))
    return job


@pytest.mark.parametrize("caller", ["alice", "admin"])
async def test_owner_and_admin_read_a_job(
    uow: FakeUnitOfWork, clock: FakeClock, caller: str
) -> None:
    job = store(uow, queued_job(clock.now()))
    found = await GetJobUseCase(unit_of_work=uow).execute(GetJobQuery(CALLERS[caller], job.id))
    assert found.id == job.id


async def test_another_user_is_told_the_job_does_not_exist(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    job = store(uow, queued_job(clock.now()))
    use_case = GetJobUseCase(unit_of_work=uow)
    with pytest.raises(JobNotFound) as other:
        await use_case.execute(GetJobQuery(BOB, job.id))
    with pytest.raises(JobNotFound) as missing:
        await use_case.execute(GetJobQuery(BOB, "no-such-job"))
    assert other.value.message == missing.value.message


async def test_every_job_use_case_needs_a_scope_to_read_jobs(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    job = store(uow, queued_job(clock.now()))
    nobody = Principal("alice")  # the job's owner, but the token grants no scope
    attempts = [
        GetJobUseCase(unit_of_work=uow).execute(GetJobQuery(nobody, job.id)),
        ListJobsUseCase(unit_of_work=uow, max_page_size=100).execute(ListJobsQuery(nobody)),
        canceller(uow, clock).execute(CancelJobCommand(nobody, job.id)),
        downloads(uow, clock).execute(DownloadResultQuery(nobody, job.id)),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied, match="reports:generate"):
            await attempt
    assert uow.database.jobs[job.id].status is JobStatus.QUEUED


async def test_listing_pages_through_the_callers_jobs_newest_first(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    mine = []
    for _ in range(5):
        mine.append(store(uow, queued_job(clock.now())))
        store(uow, queued_job(clock.now(), requested_by="bob"))
        clock.advance(1)
    use_case = ListJobsUseCase(unit_of_work=uow, max_page_size=100)
    first = await use_case.execute(ListJobsQuery(ALICE, limit=2))
    second = await use_case.execute(ListJobsQuery(ALICE, limit=2, after=first.next_after))
    third = await use_case.execute(ListJobsQuery(ALICE, limit=2, after=second.next_after))
    listed = [job.id for page in (first, second, third) for job in page.jobs]
    assert listed == [job.id for job in reversed(mine)]
    assert third.next_after is None
    everyone = await use_case.execute(ListJobsQuery(ADMIN, limit=100))
    assert len(everyone.jobs) == 10


async def test_listing_filters_by_status_and_caps_the_page_size(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    store(uow, succeeded(clock))
    for _ in range(120):
        store(uow, queued_job(clock.now()))
    use_case = ListJobsUseCase(unit_of_work=uow, max_page_size=100)
    done = await use_case.execute(ListJobsQuery(ALICE, status=JobStatus.SUCCEEDED))
    assert [job.status for job in done.jobs] == [JobStatus.SUCCEEDED]
    assert len((await use_case.execute(ListJobsQuery(ALICE, limit=1000))).jobs) == 100


@pytest.mark.parametrize("running", [False, True])
async def test_unfinished_job_is_cancelled(
    uow: FakeUnitOfWork, clock: FakeClock, running: bool
) -> None:
    job = queued_job(clock.now())
    if running:
        job.start(clock.now(), clock.now())
    store(uow, job)
    cancelled = await CancelJobUseCase(
        unit_of_work=uow, clock=clock, store=InMemoryResultStore()
    ).execute(CancelJobCommand(ALICE, job.id))
    assert cancelled.status is uow.database.jobs[job.id].status is JobStatus.CANCELLED


async def test_finished_job_cannot_be_cancelled_and_others_cannot_cancel(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    use_case = canceller(uow, clock)
    done = store(uow, succeeded(clock))
    with pytest.raises(JobAlreadyFinished):
        await use_case.execute(CancelJobCommand(ALICE, done.id))
    pending = store(uow, queued_job(clock.now()))
    with pytest.raises(JobNotFound):
        await use_case.execute(CancelJobCommand(BOB, pending.id))
    assert uow.database.jobs[pending.id].status is JobStatus.QUEUED


async def test_result_of_a_succeeded_job_until_it_expires(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    job = store(uow, succeeded(clock, ttl=60))
    use_case = downloads(uow, clock)
    download = await use_case.execute(DownloadResultQuery(ALICE, job.id))
    assert download.result == RESULT
    assert b"".join([chunk async for chunk in download.chunks(2, 5)]) == b"2345"
    clock.advance(60)
    with pytest.raises(ResultExpired):
        await use_case.execute(DownloadResultQuery(ALICE, job.id))


async def test_no_result_for_unfinished_failed_or_cancelled_jobs(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    use_case = downloads(uow, clock)
    queued = store(uow, queued_job(clock.now()))
    failed = queued_job(clock.now())
    failed.start(clock.now(), clock.now())
    failed.fail("The report's query failed: boom", clock.now())
    store(uow, failed)
    cancelled = queued_job(clock.now())
    cancelled.cancel(clock.now())
    store(uow, cancelled)
    for job, message in [
        (queued, "not finished"),
        (failed, "failed: The report"),
        (cancelled, "cancelled"),
    ]:
        with pytest.raises(JobNotReady, match=message):
            await use_case.execute(DownloadResultQuery(ALICE, job.id))
    with pytest.raises(JobNotFound):
        await use_case.execute(DownloadResultQuery(BOB, queued.id))


async def test_a_result_the_store_no_longer_keeps_has_expired(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    job = store(uow, succeeded(clock, ttl=60))
    empty = InMemoryResultStore()
    use_case = DownloadResultUseCase(unit_of_work=uow, store=empty, clock=clock)
    with pytest.raises(ResultExpired):
        await use_case.execute(DownloadResultQuery(ALICE, job.id))


async def test_an_operator_may_lower_the_largest_page(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    for _ in range(7):
        store(uow, queued_job(clock.now()))
        clock.advance(1)
    use_case = ListJobsUseCase(unit_of_work=uow, max_page_size=5)
    page = await use_case.execute(ListJobsQuery(ALICE, limit=100))
    assert len(page.jobs) == 5
    assert page.next_after is not None


async def test_cancelling_a_job_deletes_the_files_its_dead_runs_stored_unrecorded(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    job = queued_job(clock.now())
    job.start(clock.now(), clock.now())
    job.attempts = 2  # attempt 1 and 2 each died after storing a file, before recording it
    store(uow, job)
    files = InMemoryResultStore()
    files.files = {f"{job.id}.csv": b"1", f"{job.id}.2.csv": b"2", "other.csv": b"3"}

    await canceller(uow, clock, files).execute(CancelJobCommand(ALICE, job.id))

    assert uow.database.jobs[job.id].status is JobStatus.CANCELLED
    assert list(files.files) == ["other.csv"]


async def test_a_store_that_fails_leaves_the_files_but_the_job_cancelled(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    job = queued_job(clock.now())
    job.start(clock.now(), clock.now())
    store(uow, job)
    files = InMemoryResultStore()
    files.files = {f"{job.id}.csv": b"1"}
    files.fail = True

    await canceller(uow, clock, files).execute(CancelJobCommand(ALICE, job.id))

    assert uow.database.jobs[job.id].status is JobStatus.CANCELLED
    assert list(files.files) == [f"{job.id}.csv"]
