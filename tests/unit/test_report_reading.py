"""Who sees which report configurations, with fakes."""

import pytest

from application.reports.get_report import GetReportQuery, GetReportUseCase
from application.reports.list_reports import ListReportsQuery, ListReportsUseCase
from domain.errors import ReportNotFound
from domain.principal import ADMIN_SCOPE, GENERATE_SCOPE, Principal
from tests.builders import analyst, report
from tests.fakes import FakeUnitOfWork

CALLERS = {
    "alice": analyst("alice"),
    "admin": Principal("root", scopes=frozenset({ADMIN_SCOPE})),
    "sales": Principal("sam", roles=frozenset({"sales"}), scopes=frozenset({GENERATE_SCOPE})),
    "no-scope": Principal("nobody", roles=frozenset({"analyst"})),
}


@pytest.fixture
def uow() -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    for item in (report("b-analysts"), report("a-open", roles=frozenset()), report("c-analysts")):
        uow.database.reports[item.id] = item
    return uow


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        ("alice", ["a-open", "b-analysts", "c-analysts"]),
        ("sales", ["a-open"]),
        ("admin", ["a-open", "b-analysts", "c-analysts"]),
        ("no-scope", []),
    ],
)
async def test_each_caller_lists_the_reports_it_may_see(
    uow: FakeUnitOfWork, caller: str, expected: list[str]
) -> None:
    use_case = ListReportsUseCase(unit_of_work=uow, max_page_size=100)
    page = await use_case.execute(ListReportsQuery(CALLERS[caller]))
    assert [item.id for item in page.reports] == expected


async def test_pages_follow_the_ids(uow: FakeUnitOfWork) -> None:
    use_case = ListReportsUseCase(unit_of_work=uow, max_page_size=100)
    first = await use_case.execute(ListReportsQuery(CALLERS["alice"], limit=2))
    assert (first.next_after, [r.id for r in first.reports]) == (
        "b-analysts",
        ["a-open", "b-analysts"],
    )
    rest = await use_case.execute(
        ListReportsQuery(CALLERS["alice"], after=first.next_after, limit=2)
    )
    assert ([r.id for r in rest.reports], rest.next_after) == (["c-analysts"], None)


async def test_a_report_the_caller_may_not_run_does_not_exist_for_it(uow: FakeUnitOfWork) -> None:
    use_case = GetReportUseCase(unit_of_work=uow)
    assert (await use_case.execute(GetReportQuery(CALLERS["sales"], "a-open"))).id == "a-open"
    with pytest.raises(ReportNotFound):
        await use_case.execute(GetReportQuery(CALLERS["sales"], "b-analysts"))
    assert (
        await use_case.execute(GetReportQuery(CALLERS["admin"], "b-analysts"))
    ).id == "b-analysts"
