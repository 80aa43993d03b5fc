"""GenerateReportUseCase's admission rules with fakes: idempotency keys and each caller's limits."""

import asyncio
from datetime import timedelta

import pytest

from application.jobs.admission import AdmissionPolicy
from domain.errors import IdempotencyKeyInFlight, IdempotencyKeyReused, TooManyJobs
from domain.job_status import JobStatus
from tests.builders import analyst
from tests.fakes import FakeUnitOfWork
from tests.unit.test_generate_report import World

BOB = analyst("bob")


class SlowCommit(FakeUnitOfWork):
    """A commit that takes a while, so that a second request arrives while the first is
    still in flight."""

    async def commit(self) -> None:
        await asyncio.sleep(0.05)
        await super().commit()


@pytest.fixture
def world() -> World:
    return World()


def limited(**limits: int) -> World:
    return World(AdmissionPolicy(**{"rate_per_minute": 0, "max_unfinished": 0, **limits}))


async def test_the_same_key_and_request_answer_the_first_job_and_create_nothing(
    world: World,
) -> None:
    first = await world.generate(parameters={"region": "North"}, key="k-1")
    world.clock.advance(3600)
    again = await world.generate(parameters={"region": "North"}, key="k-1")

    assert again == first
    assert list(world.uow.database.jobs) == [first.job_id]
    assert [m.job_id for m in world.scheduler.scheduled] == [first.job_id]


async def test_a_request_is_compared_by_its_meaning_not_its_spelling(world: World) -> None:
    first = await world.generate(parameters={"region": "North", "limit": 100}, key="k")
    again = await world.generate(
        parameters={"limit": 100, "region": "North"}, format="csv", key="k"
    )

    assert again.job_id == first.job_id
    assert len(world.uow.database.jobs) == 1


@pytest.mark.parametrize(
    "other",
    [{"parameters": {"region": "South"}}, {"parameters": {"region": "North"}, "format": "json"}],
)
async def test_the_same_key_with_another_request_is_refused_and_creates_nothing(
    world: World, other: dict[str, object]
) -> None:
    await world.generate(parameters={"region": "North"}, key="k")

    with pytest.raises(IdempotencyKeyReused, match="different request"):
        await world.generate(key="k", **other)  # type: ignore[arg-type]
    assert len(world.uow.database.jobs) == 1


async def test_a_key_is_the_callers_own(world: World) -> None:
    alices = await world.generate(key="shared")
    bobs = await world.generate(caller=BOB, key="shared")

    assert bobs.job_id != alices.job_id
    assert len(world.uow.database.jobs) == len(world.uow.database.idempotency_keys) == 2


async def test_a_key_older_than_24_hours_is_forgotten(world: World) -> None:
    first = await world.generate(key="k")
    world.clock.advance(timedelta(hours=24).total_seconds() + 1)

    later = await world.generate(parameters={"region": "West"}, key="k")

    assert later.job_id != first.job_id
    assert world.uow.database.idempotency_keys[("alice", "report-123", "k")].job_id == later.job_id


async def test_a_repeat_while_the_first_request_is_in_flight_is_refused() -> None:
    world = World()
    world.uow = slow = SlowCommit(world.uow.database)

    async with asyncio.timeout(5):
        first = asyncio.create_task(world.generate(key="k"))
        await asyncio.sleep(0.01)  # the first request's batch is committing
        with pytest.raises(IdempotencyKeyInFlight):
            await world.generate(key="k")
        accepted = await first
        # Answered, the key is no longer in flight: a repeat now gets the job.
        assert (await world.generate(key="k")) == accepted
    assert list(slow.database.jobs) == [accepted.job_id]


async def test_a_caller_over_its_rate_is_refused_until_the_minute_has_passed() -> None:
    world = limited(rate_per_minute=3)
    for _ in range(3):
        await world.generate()

    with pytest.raises(TooManyJobs, match="at most 3 a minute") as refused:
        await world.generate()
    assert refused.value.retry_after_seconds == 60
    world.clock.advance(45)
    with pytest.raises(TooManyJobs) as refused:
        await world.generate()
    assert refused.value.retry_after_seconds == 15
    assert len(world.uow.database.jobs) == 3

    world.clock.advance(15)
    await world.generate()
    assert (await world.generate(caller=BOB)).job_id in world.uow.database.jobs  # others' own
    assert len(world.uow.database.jobs) == 5


async def test_a_caller_with_too_many_unfinished_jobs_is_refused_until_one_finishes() -> None:
    world = limited(max_unfinished=2)
    first = await world.generate()
    await world.generate()

    with pytest.raises(TooManyJobs, match="at most 2 queued or running") as refused:
        await world.generate()
    assert refused.value.retry_after_seconds == 5  # nothing finished yet: a first guess

    job = world.uow.database.jobs[first.job_id]
    job.status, job.finished_at = JobStatus.SUCCEEDED, job.created_at + timedelta(seconds=30)
    world.clock.advance(10)
    replacement = await world.generate()
    with pytest.raises(TooManyJobs) as refused:
        await world.generate()
    # The oldest unfinished job is 10 s old; this caller's jobs take 30 s.
    assert refused.value.retry_after_seconds == 20
    assert replacement.job_id in world.uow.database.jobs
    assert len(world.uow.database.jobs) == 3


async def test_a_repeat_of_an_idempotent_request_is_never_refused_by_the_limits() -> None:
    world = limited(rate_per_minute=1, max_unfinished=1)
    first = await world.generate(key="k")

    assert (await world.generate(key="k")) == first
    with pytest.raises(TooManyJobs):
        await world.generate(key="another")
    assert world.uow.database.idempotency_keys.keys() == {("alice", "report-123", "k")}


async def test_requests_refused_in_a_batch_do_not_fail_the_others() -> None:
    world = limited(rate_per_minute=2)
    world.uow = SlowCommit(world.uow.database)
    await world.generate(key="used")

    async with asyncio.timeout(5):
        outcomes = await asyncio.gather(
            world.generate(parameters={"region": "South"}, key="used"),
            *(world.generate(caller=caller) for caller in (BOB, analyst("alice"), BOB, BOB)),
            return_exceptions=True,
        )

    assert isinstance(outcomes[0], IdempotencyKeyReused)
    accepted = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, TooManyJobs)]
    assert len(accepted) == 3
    assert len(refused) == 1
    assert {a.job_id for a in accepted} < set(world.uow.database.jobs)  # type: ignore[union-attr]
    assert len(world.uow.database.jobs) == 4


async def test_with_the_limits_off_nothing_is_counted() -> None:
    world = limited()
    for _ in range(5):
        await world.generate()
    assert len(world.uow.database.jobs) == 5
    assert world.uow.admission.held == []
