"""Reading, listing, cancelling and downloading jobs: ownership and states, with fakes."""

from datetime import timedelta

import pytest

from application.cancel_job import CancelJobCommand, CancelJobUseCase
from application.errors import AuthenticationFailed
from application.get_job import GetJobQuery, GetJobUseCase
from application.get_job_result import GetJobResultQuery, GetJobResultUseCase
from application.list_jobs import ListJobsQuery, ListJobsUseCase
from domain.errors import (
    JobAlreadyFinished,
    JobNotFound,
    JobNotReady,
    PermissionDenied,
    ResultExpired,
)
from domain.jobs import Job, JobStatus, StoredResult
from domain.principal import ADMIN_SCOPE, Principal
from tests.builders import analyst, queued_job
from tests.fakes import FakeClock, FakeTokenVerifier, FakeUnitOfWork

VERIFIER = FakeTokenVerifier(
    {
        "alice": analyst("alice"),
        "bob": analyst("bob"),
        "admin": Principal("root", scopes=frozenset({ADMIN_SCOPE})),
        "no-scope": Principal("alice"),
    }
)
RESULT = StoredResult("k.csv", "report-123-k.csv", "text/csv", 10, "ab" * 32, 2)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def store(uow: FakeUnitOfWork, job: Job) -> Job:
    uow.database.jobs[job.id] = job
    return job


def succeeded(clock: FakeClock, ttl: float = 3600) -> Job:
    job = queued_job(clock.now())
    job.start(clock.now(), clock.now())
    job.succeed(RESULT, clock.now(), clock.now() + timedelta(seconds=ttl))
    return job


@pytest.mark.parametrize("token", ["alice", "admin"])
async def test_owner_and_admin_read_a_job(
    uow: FakeUnitOfWork, clock: FakeClock, token: str
) -> None:
    job = store(uow, queued_job(clock.now()))
    found = await GetJobUseCase(unit_of_work=uow, token_verifier=VERIFIER).execute(
        GetJobQuery(token, job.id)
    )
    assert found.id == job.id


async def test_another_user_is_told_the_job_does_not_exist(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    job = store(uow, queued_job(clock.now()))
    use_case = GetJobUseCase(unit_of_work=uow, token_verifier=VERIFIER)
    with pytest.raises(JobNotFound) as other:
        await use_case.execute(GetJobQuery("bob", job.id))
    with pytest.raises(JobNotFound) as missing:
        await use_case.execute(GetJobQuery("bob", "no-such-job"))
    assert other.value.message == missing.value.message


async def test_reading_jobs_needs_a_token_with_a_scope(uow: FakeUnitOfWork) -> None:
    use_case = GetJobUseCase(unit_of_work=uow, token_verifier=VERIFIER)
    with pytest.raises(AuthenticationFailed):
        await use_case.execute(GetJobQuery(None, "x"))
    with pytest.raises(PermissionDenied):
        await use_case.execute(GetJobQuery("no-scope", "x"))


async def test_listing_pages_through_the_callers_jobs_newest_first(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    mine = []
    for _ in range(5):
        mine.append(store(uow, queued_job(clock.now())))
        store(uow, queued_job(clock.now(), requested_by="bob"))
        clock.advance(1)
    use_case = ListJobsUseCase(unit_of_work=uow, token_verifier=VERIFIER)
    first = await use_case.execute(ListJobsQuery("alice", limit=2))
    second = await use_case.execute(ListJobsQuery("alice", limit=2, after=first.next_after))
    third = await use_case.execute(ListJobsQuery("alice", limit=2, after=second.next_after))
    listed = [job.id for page in (first, second, third) for job in page.jobs]
    assert listed == [job.id for job in reversed(mine)]
    assert third.next_after is None
    everyone = await use_case.execute(ListJobsQuery("admin", limit=100))
    assert len(everyone.jobs) == 10


async def test_listing_filters_by_status_and_caps_the_page_size(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    store(uow, succeeded(clock))
    for _ in range(120):
        store(uow, queued_job(clock.now()))
    use_case = ListJobsUseCase(unit_of_work=uow, token_verifier=VERIFIER)
    done = await use_case.execute(ListJobsQuery("alice", status=JobStatus.SUCCEEDED))
    assert [job.status for job in done.jobs] == [JobStatus.SUCCEEDED]
    assert len((await use_case.execute(ListJobsQuery("alice", limit=1000))).jobs) == 100


@pytest.mark.parametrize("running", [False, True])
async def test_unfinished_job_is_cancelled(
    uow: FakeUnitOfWork, clock: FakeClock, running: bool
) -> None:
    job = queued_job(clock.now())
    if running:
        job.start(clock.now(), clock.now())
    store(uow, job)
    cancelled = await CancelJobUseCase(
        unit_of_work=uow, token_verifier=VERIFIER, clock=clock
    ).execute(CancelJobCommand("alice", job.id))
    assert cancelled.status is uow.database.jobs[job.id].status is JobStatus.CANCELLED


async def test_finished_job_cannot_be_cancelled_and_others_cannot_cancel(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    use_case = CancelJobUseCase(unit_of_work=uow, token_verifier=VERIFIER, clock=clock)
    done = store(uow, succeeded(clock))
    with pytest.raises(JobAlreadyFinished):
        await use_case.execute(CancelJobCommand("alice", done.id))
    pending = store(uow, queued_job(clock.now()))
    with pytest.raises(JobNotFound):
        await use_case.execute(CancelJobCommand("bob", pending.id))
    assert uow.database.jobs[pending.id].status is JobStatus.QUEUED


async def test_result_of_a_succeeded_job_until_it_expires(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    job = store(uow, succeeded(clock, ttl=60))
    use_case = GetJobResultUseCase(unit_of_work=uow, token_verifier=VERIFIER, clock=clock)
    assert await use_case.execute(GetJobResultQuery("alice", job.id)) == RESULT
    clock.advance(60)
    with pytest.raises(ResultExpired):
        await use_case.execute(GetJobResultQuery("alice", job.id))


async def test_no_result_for_unfinished_failed_or_cancelled_jobs(
    uow: FakeUnitOfWork, clock: FakeClock
) -> None:
    use_case = GetJobResultUseCase(unit_of_work=uow, token_verifier=VERIFIER, clock=clock)
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
            await use_case.execute(GetJobResultQuery("alice", job.id))
    with pytest.raises(JobNotFound):
        await use_case.execute(GetJobResultQuery("bob", queued.id))
