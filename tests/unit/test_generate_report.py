"""GenerateReportUseCase with fakes for every port: each business rule in turn."""

import uuid

import pytest

from application.common.errors import SchedulerUnavailable, StorageUnavailable
from application.jobs.admission import AdmissionPolicy
from application.jobs.generate_report import (
    GenerateReportCommand,
    GenerateReportUseCase,
    JobAccepted,
)
from application.jobs.intake import JobIntake
from domain.errors import (
    InvalidReportRequest,
    PermissionDenied,
    ReportNotAsynchronous,
    ReportNotFound,
)
from domain.job_status import JobStatus
from domain.principal import GENERATE_SCOPE, Principal
from domain.reports import OutputFormat
from tests.builders import EMAIL, SYNC_API, analyst, report
from tests.fakes import FakeClock, FakeReportCatalog, FakeScheduler, FakeUnitOfWork

ALICE = analyst("alice")
NO_SCOPE = Principal("bob", roles=frozenset({"analyst"}))
WRONG_ROLE = Principal("carol", roles=frozenset({"sales"}), scopes=frozenset({GENERATE_SCOPE}))


class World:
    def __init__(self, policy: AdmissionPolicy | None = None) -> None:
        self.uow = FakeUnitOfWork()
        self.scheduler = FakeScheduler()
        self.clock = FakeClock()
        for item in (report("report-123"), report("report-456", targets=(SYNC_API,))):
            self.uow.database.reports[item.id] = item
        self.uow.database.reports["report-789"] = report("report-789", targets=(EMAIL,))
        self.intake = JobIntake(
            unit_of_work=lambda: self.uow,
            scheduler=self.scheduler,
            max_batch=100,
            clock=self.clock,
            policy=policy or AdmissionPolicy(),
        )
        self.use_case = GenerateReportUseCase(
            reports=FakeReportCatalog(self.uow.database), intake=self.intake, clock=self.clock
        )

    async def generate(
        self,
        report_id: str = "report-123",
        caller: Principal = ALICE,
        parameters: dict[str, object] | None = None,
        format: str | None = None,
        key: str | None = None,
    ) -> JobAccepted:
        command = GenerateReportCommand(
            principal=caller,
            report_id=report_id,
            parameters=parameters or {},
            format=format,
            idempotency_key=key,
        )
        return await self.use_case.execute(command)

    def assert_nothing_created(self) -> None:
        assert self.uow.database.jobs == {}
        assert self.scheduler.scheduled == []


@pytest.fixture
def world() -> World:
    return World()


async def test_accepted_job_is_queued_committed_and_scheduled(world: World) -> None:
    accepted = await world.generate(parameters={"region": "North"}, format="json")

    job = world.uow.database.jobs[accepted.job_id]
    assert job.status is JobStatus.QUEUED
    assert job.report_id == "report-123"
    assert job.requested_by == "alice"
    assert job.parameters == {"region": "North", "limit": 100}
    assert job.format is OutputFormat.JSON
    assert job.created_at == world.clock.now() == accepted.created_at
    assert [m.job_id for m in world.scheduler.scheduled] == [accepted.job_id]
    assert world.scheduler.scheduled[0].requested_at == world.clock.now()


async def test_format_defaults_to_the_reports_first_format(world: World) -> None:
    accepted = await world.generate()
    assert world.uow.database.jobs[accepted.job_id].format is OutputFormat.CSV


async def test_job_ids_are_random_version_4_uuids(world: World) -> None:
    ids = [(await world.generate()).job_id for _ in range(50)]
    parsed = [uuid.UUID(job_id) for job_id in ids]
    assert all(u.version == 4 and str(u) == j for u, j in zip(parsed, ids, strict=True))
    assert len(set(ids)) == 50
    assert ids != sorted(ids)  # 50 random ids in order by chance: about 1 in 50!


async def test_unknown_report_is_not_found(world: World) -> None:
    with pytest.raises(ReportNotFound):
        await world.generate("non-existent-report")
    world.assert_nothing_created()


@pytest.mark.parametrize("report_id", ["report-456", "report-789"])
async def test_report_without_async_api_delivery_is_rejected(world: World, report_id: str) -> None:
    with pytest.raises(ReportNotAsynchronous, match="not configured for asynchronous"):
        await world.generate(report_id)
    world.assert_nothing_created()


async def test_token_without_generate_scope_is_denied_even_for_unknown_reports(
    world: World,
) -> None:
    with pytest.raises(PermissionDenied, match=GENERATE_SCOPE):
        await world.generate("non-existent-report", caller=NO_SCOPE)
    world.assert_nothing_created()


async def test_caller_without_an_allowed_role_is_denied(world: World) -> None:
    with pytest.raises(PermissionDenied):
        await world.generate(caller=WRONG_ROLE)
    world.assert_nothing_created()


async def test_report_without_allowed_roles_accepts_any_generating_caller(world: World) -> None:
    world.uow.database.reports["open"] = report("open", roles=frozenset())
    accepted = await world.generate("open", caller=WRONG_ROLE)
    assert accepted.job_id in world.uow.database.jobs


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"parameters": {"country": "FR"}}, "parameters.country"),
        ({"parameters": {"limit": "ten"}}, "parameters.limit"),
        ({"parameters": {"limit": True}}, "parameters.limit"),
        ({"parameters": {"start_date": "2024-13-01"}}, "parameters.start_date"),
        ({"format": "pdf"}, "format"),
    ],
)
async def test_request_that_does_not_fit_the_report_is_rejected(
    world: World, kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidReportRequest) as caught:
        await world.generate(**kwargs)
    assert caught.value.field == field
    world.assert_nothing_created()


async def test_scheduler_failure_rolls_the_job_back(world: World) -> None:
    world.scheduler.fail = True
    with pytest.raises(SchedulerUnavailable):
        await world.generate()
    world.assert_nothing_created()
    assert world.uow.rollbacks == 1


async def test_database_failure_before_enqueue_schedules_nothing(world: World) -> None:
    world.uow.fail_on_add = True
    with pytest.raises(StorageUnavailable):
        await world.generate()
    world.assert_nothing_created()


async def test_commit_failure_after_enqueue_leaves_no_row_for_the_queued_job(world: World) -> None:
    world.uow.fail_on_commit = True
    with pytest.raises(StorageUnavailable):
        await world.generate()
    assert world.uow.database.jobs == {}
    # The queue holds a message whose row never became visible: the worker drops it.
    assert len(world.scheduler.scheduled) == 1
    assert world.scheduler.scheduled[0].job_id not in world.uow.database.jobs
