"""A report's caps on rows and bytes, with a real SQLite data source and the real local
store: a file past one fails naming it and leaves nothing in the results directory."""

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.rendering.renderer import FileReportRenderer
from adapters.results.local import LocalResultStore
from adapters.sqlalchemy.data_sources import SqlAlchemyReportQueries
from adapters.sqlalchemy.demo_data import load_demo_sales
from application.common.errors import ReportLimitExceeded
from application.jobs.report_file_maker import ReportFileMaker
from domain.jobs import Job
from domain.report_limits import ReportLimits
from domain.reports import OutputFormat, ReportConfiguration, ReportRequest
from tests.builders import ASYNC_API

ENDLESS_ROWS = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x FROM n"


async def make(sqlite_url: str, results: Path, query: str, limits: ReportLimits) -> int:
    """The rows of the file made of ``query`` within ``limits``."""
    await load_demo_sales(sqlite_url, rows=1)
    queries = SqlAlchemyReportQueries({"demo": sqlite_url})
    maker = ReportFileMaker(queries, FileReportRenderer(), LocalResultStore(results), 1000)
    report = ReportConfiguration(
        "capped", "Capped", "demo", query, (OutputFormat.CSV,), (ASYNC_API,)
    )
    request = ReportRequest(parameters={}, format=OutputFormat.CSV)
    job = Job.queue(
        report_id="capped", requested_by="alice", request=request, now=datetime.now(UTC)
    )
    try:
        async with asyncio.timeout(60):  # without its cap, the file would grow for ever
            return (await maker.make(job, report, limits, lambda rows: None)).row_count
    finally:
        await queries.stop()


async def test_rows_that_never_end_stop_at_the_row_cap(sqlite_url: str, tmp_path: Path) -> None:
    results = tmp_path / "results"
    with pytest.raises(ReportLimitExceeded, match=r"^The report has more than 25000 rows"):
        await make(sqlite_url, results, ENDLESS_ROWS, ReportLimits(max_rows=25_000))
    assert list(results.iterdir()) == []


async def test_a_file_past_the_byte_cap_is_not_kept(sqlite_url: str, tmp_path: Path) -> None:
    results = tmp_path / "results"
    with pytest.raises(ReportLimitExceeded, match=r"larger than 100000 bytes"):
        await make(sqlite_url, results, ENDLESS_ROWS, ReportLimits(max_bytes=100_000))
    assert list(results.iterdir()) == []


async def test_a_file_within_its_caps_is_kept_whole(sqlite_url: str, tmp_path: Path) -> None:
    query = f"SELECT x FROM ({ENDLESS_ROWS} LIMIT 2000)"  # noqa: S608
    rows = await make(sqlite_url, tmp_path, query, ReportLimits(max_rows=2000, max_bytes=100_000))
    assert rows == 2000
