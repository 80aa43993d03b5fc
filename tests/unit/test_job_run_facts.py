"""What a delivery reports besides its outcome: the report it ran and the rows it wrote,
and the watcher (the worker's metrics) told when a run starts."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from application.jobs.ports import JobOutcome
from application.jobs.report_file_maker import ReportFileMaker
from application.jobs.run_report_job import RunReportJobUseCase
from domain.jobs import Job
from tests.report_fakes import FakeRenderer, FakeReportQueries, InMemoryResultStore
from tests.unit.test_run_report_job import POLICY, ROWS, World


class RecordingWatcher:
    def __init__(self) -> None:
        self.started: list[str] = []

    def run_started(self, report_id: str) -> None:
        self.started.append(report_id)


def watched(world: World) -> RecordingWatcher:
    watcher = RecordingWatcher()
    maker = ReportFileMaker(
        FakeReportQueries(list(ROWS)), FakeRenderer(), InMemoryResultStore(), batch_rows=10
    )
    world.use_case = RunReportJobUseCase(
        unit_of_work=world.uow,
        clock=world.clock,
        file_maker=maker,
        policy=POLICY,
        watcher=watcher,
    )
    return watcher


async def test_a_run_names_its_report_and_its_rows_and_its_start_is_told() -> None:
    world = World()
    watcher = watched(world)

    run = await world.use_case.execute(world.message())

    assert run.outcome is JobOutcome.SUCCEEDED
    assert (run.report_id, run.rows) == ("report-123", len(ROWS))
    assert watcher.started == ["report-123"]


async def test_a_delivery_that_runs_nothing_names_no_report_and_tells_nothing() -> None:
    world = World()
    watcher = watched(world)
    await world.use_case.execute(world.message())

    again = await world.use_case.execute(world.message())
    missing = await world.use_case.execute(world.message("no-such-job"))

    assert again.outcome is JobOutcome.ALREADY_HANDLED
    assert missing.outcome is JobOutcome.RETRY_LATER
    assert (again.report_id, missing.report_id) == (None, None)
    assert watcher.started == ["report-123"]


class RecordingTracer:
    def __init__(self) -> None:
        self.runs: list[tuple[str, str | None]] = []
        self.inside = False

    @contextmanager
    def job_run(self, job: Job) -> Iterator[None]:
        self.runs.append((job.id, job.trace_parent))
        self.inside = True
        try:
            yield
        finally:
            self.inside = False


async def test_a_run_happens_inside_the_tracer_with_the_trace_of_its_request() -> None:
    world = World()
    world.job.trace_parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    tracer = RecordingTracer()
    seen_inside: list[bool] = []

    class WatchingQueries(FakeReportQueries):
        def run(self, *args: Any, **kwargs: Any) -> Any:
            seen_inside.append(tracer.inside)
            return super().run(*args, **kwargs)

    maker = ReportFileMaker(
        WatchingQueries(list(ROWS)), FakeRenderer(), InMemoryResultStore(), batch_rows=10
    )
    world.use_case = RunReportJobUseCase(
        unit_of_work=world.uow, clock=world.clock, file_maker=maker, policy=POLICY, tracer=tracer
    )

    run = await world.use_case.execute(world.message())
    again = await world.use_case.execute(world.message())

    assert (run.outcome, again.outcome) == (JobOutcome.SUCCEEDED, JobOutcome.ALREADY_HANDLED)
    assert tracer.runs == [(world.job.id, world.job.trace_parent)]
    assert seen_inside == [True]
