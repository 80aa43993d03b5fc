"""Creating, replacing and deleting report configurations, with fakes: rules, versions, trail."""

from dataclasses import replace

import pytest

from application.reports.create_report import CreateReportCommand, CreateReportUseCase
from application.reports.delete_report import DeleteReportCommand, DeleteReportUseCase
from application.reports.read_report_history import ReadReportHistoryQuery, ReadReportHistoryUseCase
from application.reports.replace_report import ReplaceReportCommand, ReplaceReportUseCase
from domain.errors import (
    InvalidReportConfiguration,
    PermissionDenied,
    ReportAlreadyExists,
    ReportNotFound,
    StaleReportVersion,
    VersionRequired,
)
from domain.principal import ADMIN_SCOPE, Principal
from domain.report_changes import ChangeAction
from tests.builders import SYNC_API, analyst, report
from tests.fakes import FakeClock, FakeReportCatalog, FakeUnitOfWork
from tests.report_fakes import FakeReportQueries

ROOT = Principal("root", scopes=frozenset({ADMIN_SCOPE}))
ALICE = analyst("alice")
NEW = report("weekly-sales")


class Admin:
    def __init__(self) -> None:
        self.uow, self.clock, self.queries = FakeUnitOfWork(), FakeClock(), FakeReportQueries([])
        uow, clock = self.uow, self.clock
        self.catalog = FakeReportCatalog(uow.database)
        saving = {"unit_of_work": uow, "clock": clock, "catalog": self.catalog}
        self.create = CreateReportUseCase(**saving, queries=self.queries)
        self.replace = ReplaceReportUseCase(**saving, queries=self.queries)
        self.delete = DeleteReportUseCase(**saving)
        self.history = ReadReportHistoryUseCase(unit_of_work=uow)


@pytest.fixture
def admin() -> Admin:
    return Admin()


async def test_a_new_report_is_saved_at_version_1_and_its_creation_recorded(admin: Admin) -> None:
    saved = await admin.create.execute(CreateReportCommand(ROOT, replace(NEW, version=7)))
    assert saved.version == 1
    assert saved.created_at == saved.updated_at == admin.clock.now()
    assert admin.uow.database.reports[NEW.id] == saved
    assert admin.queries.checked == [NEW.query]
    assert admin.catalog.changes == 1  # the next generate here reads the reports again
    [change] = await admin.history.execute(ReadReportHistoryQuery(ROOT, NEW.id))
    assert (change.action, change.actor, change.version, change.report) == (
        ChangeAction.CREATED,
        "root",
        1,
        saved,
    )


async def test_only_administrators_manage_reports(admin: Admin) -> None:
    with pytest.raises(PermissionDenied):
        await admin.create.execute(CreateReportCommand(ALICE, NEW))
    with pytest.raises(PermissionDenied):
        await admin.replace.execute(ReplaceReportCommand(ALICE, NEW, expected_version=1))
    with pytest.raises(PermissionDenied):
        await admin.delete.execute(DeleteReportCommand(ALICE, NEW.id, expected_version=1))
    with pytest.raises(PermissionDenied):
        await admin.history.execute(ReadReportHistoryQuery(ALICE, NEW.id))
    assert admin.uow.database.reports == {}


async def test_a_taken_id_a_broken_rule_or_a_refused_query_saves_nothing(admin: Admin) -> None:
    await admin.create.execute(CreateReportCommand(ROOT, NEW))
    with pytest.raises(ReportAlreadyExists):
        await admin.create.execute(CreateReportCommand(ROOT, NEW))
    with pytest.raises(InvalidReportConfiguration) as caught:
        await admin.create.execute(CreateReportCommand(ROOT, replace(NEW, id="Bad Id")))
    assert caught.value.field == "id"
    admin.queries.refusal = "The report's query failed: no such column: amout"
    with pytest.raises(InvalidReportConfiguration) as refused:
        await admin.create.execute(CreateReportCommand(ROOT, replace(NEW, id="other")))
    assert (refused.value.field, refused.value.message) == ("query", admin.queries.refusal)
    admin.queries.refusal = None
    with pytest.raises(InvalidReportConfiguration) as unknown:
        await admin.create.execute(
            CreateReportCommand(ROOT, replace(NEW, id="third", data_source="nowhere"))
        )
    assert (unknown.value.field, unknown.value.message) == (
        "data_source",
        "Data source 'nowhere' is not configured.",
    )
    assert list(admin.uow.database.reports) == [NEW.id]
    assert admin.catalog.changes == 1  # refused changes change nothing


async def test_a_replacement_from_the_current_version_goes_up_by_one(admin: Admin) -> None:
    created = await admin.create.execute(CreateReportCommand(ROOT, NEW))
    admin.clock.advance(60)
    changed = replace(NEW, delivery_targets=(SYNC_API,))
    saved = await admin.replace.execute(ReplaceReportCommand(ROOT, changed, expected_version=1))
    assert saved.version == 2
    assert saved.created_at == created.created_at
    assert saved.updated_at == admin.clock.now()
    assert admin.uow.database.reports[NEW.id].delivery_targets == (SYNC_API,)
    assert admin.catalog.changes == 2


async def test_a_replacement_from_a_stale_version_or_without_one_is_refused(admin: Admin) -> None:
    await admin.create.execute(CreateReportCommand(ROOT, NEW))
    await admin.replace.execute(ReplaceReportCommand(ROOT, NEW, expected_version=1))
    with pytest.raises(StaleReportVersion) as stale:
        await admin.replace.execute(ReplaceReportCommand(ROOT, NEW, expected_version=1))
    assert stale.value.current == 2
    with pytest.raises(VersionRequired):
        await admin.replace.execute(ReplaceReportCommand(ROOT, NEW, expected_version=None))
    with pytest.raises(ReportNotFound):
        await admin.replace.execute(ReplaceReportCommand(ROOT, report("nope"), expected_version=1))
    assert admin.uow.database.reports[NEW.id].version == 2


async def test_deleting_needs_the_current_version_and_keeps_the_trail(admin: Admin) -> None:
    await admin.create.execute(CreateReportCommand(ROOT, NEW))
    with pytest.raises(StaleReportVersion):
        await admin.delete.execute(DeleteReportCommand(ROOT, NEW.id, expected_version=3))
    with pytest.raises(VersionRequired):
        await admin.delete.execute(DeleteReportCommand(ROOT, NEW.id, expected_version=None))
    await admin.delete.execute(DeleteReportCommand(ROOT, NEW.id, expected_version=1))
    assert admin.uow.database.reports == {}
    assert admin.catalog.changes == 2
    trail = await admin.history.execute(ReadReportHistoryQuery(ROOT, NEW.id))
    assert [(c.action, c.report is None) for c in trail] == [
        (ChangeAction.CREATED, False),
        (ChangeAction.DELETED, True),
    ]
    with pytest.raises(ReportNotFound):
        await admin.history.execute(ReadReportHistoryQuery(ROOT, "never-existed"))
