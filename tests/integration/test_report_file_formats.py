"""The report file formats are one set of rules, whichever way the rows come: the same rows
give the same bytes from the direct SQLite reader, from SQLAlchemy on SQLite and on PostgreSQL,
and from the writers handed Python values (README, "Report file formats")."""

import hashlib
import io
import sqlite3
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import asyncpg
import pytest

from adapters.rendering import FileReportRenderer
from adapters.rendering.csv_writer import text_of
from adapters.results.local import LocalResultStore
from adapters.sqlalchemy.data_sources import SqlAlchemyReportQueries
from application.jobs.report_file_maker import ReportFileMaker
from application.reports.ports import Row
from domain.jobs import Job
from domain.report_limits import ReportLimits
from domain.reports import OutputFormat, ReportConfiguration, ReportRequest
from tests.builders import ASYNC_API
from tests.format_references import csv_module_bytes, dict_per_row_bytes

COLUMNS = [
    "id", "label", "sold_on", "sold_at", "paid_at", "amount", "paid", "payload", "big", "ratio",
]  # fmt: skip
NOON_UTC, NEW_YEAR = datetime(2024, 3, 1, 10, 30, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC)
LATE = datetime(2024, 3, 1, 23, 59, 59, 500000, tzinfo=UTC)
MARCH, MIDNIGHT, MIDNIGHT_UTC = (
    date(2024, 3, 1),
    datetime(2024, 3, 1),
    datetime(2024, 3, 1, tzinfo=UTC),
)
BIGGEST, SMALLEST = 2**63 - 1, -(2**63)
ROWS: list[Row] = [
    (1, "plain", MARCH, datetime(2024, 3, 1, 12, 30), NOON_UTC, Decimal("19.90"), True,
     b"\x00\xff", BIGGEST, 0.1),
    (2, "ünïcødé ✓ 😀", date(1999, 12, 31), datetime(2024, 3, 1, 12, 30, 0, 123456), LATE,
     Decimal("1000"), False, b"", SMALLEST, 1e16),
    (3, 'comma, "quote"', date(2024, 2, 29), datetime(2000, 1, 1), NEW_YEAR,
     Decimal("0.0000001"), True, b"report", 0, -0.5),
    (4, "line\r\nbreak\nand\rreturn", MARCH, MIDNIGHT, MIDNIGHT_UTC, Decimal("-12.5"), False,
     b"\xff\xfe\xfd", 42, 1.5e-7),
    (5, None, None, None, None, None, None, None, None, None),
    (6, "", MARCH, MIDNIGHT, MIDNIGHT_UTC, Decimal("0"), True, b"\x01", 7, 2.0),
]  # fmt: skip
#: The same rows as SQLite holds them: it has no dates, decimals or booleans, only their text.
SQLITE_ROWS: list[Row] = [
    tuple(text_of(v) if isinstance(v, date | time | Decimal | bool) else v for v in row)
    for row in ROWS
]
QUERY = f"SELECT {', '.join(COLUMNS)} FROM sold ORDER BY id"  # noqa: S608
UNICODE = "ünïcødé ✓ 😀".encode()
EXPECTED_CSV = (
    b"id,label,sold_on,sold_at,paid_at,amount,paid,payload,big,ratio\r\n"
    b"1,plain,2024-03-01,2024-03-01T12:30:00,2024-03-01T10:30:00+00:00,19.90,true,AP8=,"
    b"9223372036854775807,0.1\r\n"
    b"2," + UNICODE + b",1999-12-31,2024-03-01T12:30:00.123456,2024-03-01T23:59:59.500000+00:00,"
    b"1000,false,,-9223372036854775808,1e+16\r\n"
    b'3,"comma, ""quote""",2024-02-29,2000-01-01T00:00:00,2024-01-01T00:00:00+00:00,0.0000001,'
    b"true,cmVwb3J0,0,-0.5\r\n"
    b'4,"line\r\nbreak\nand\rreturn",2024-03-01,2024-03-01T00:00:00,2024-03-01T00:00:00+00:00,'
    b"-12.5,false,//79,42,1.5e-07\r\n"
    b"5,,,,,,,,,\r\n"
    b"6,,2024-03-01,2024-03-01T00:00:00,2024-03-01T00:00:00+00:00,0,true,AQ==,7,2.0\r\n"
)
EXPECTED_JSON = (
    b'[\n{"id":1,"label":"plain","sold_on":"2024-03-01","sold_at":"2024-03-01T12:30:00",'
    b'"paid_at":"2024-03-01T10:30:00Z","amount":"19.90","paid":true,"payload":"AP8=",'
    b'"big":9223372036854775807,"ratio":0.1},\n'
    b'{"id":2,"label":"' + UNICODE + b'","sold_on":"1999-12-31",'
    b'"sold_at":"2024-03-01T12:30:00.123456","paid_at":"2024-03-01T23:59:59.500000Z",'
    b'"amount":"1000","paid":false,"payload":"","big":-9223372036854775808,"ratio":1e16},\n'
    b'{"id":3,"label":"comma, \\"quote\\"","sold_on":"2024-02-29","sold_at":"2000-01-01T00:00:00",'
    b'"paid_at":"2024-01-01T00:00:00Z","amount":"1E-7","paid":true,"payload":"cmVwb3J0",'
    b'"big":0,"ratio":-0.5},\n'
    b'{"id":4,"label":"line\\r\\nbreak\\nand\\rreturn","sold_on":"2024-03-01",'
    b'"sold_at":"2024-03-01T00:00:00","paid_at":"2024-03-01T00:00:00Z","amount":"-12.5",'
    b'"paid":false,"payload":"//79","big":42,"ratio":1.5e-7},\n'
    b'{"id":5,"label":null,"sold_on":null,"sold_at":null,"paid_at":null,"amount":null,'
    b'"paid":null,"payload":null,"big":null,"ratio":null},\n'
    b'{"id":6,"label":"","sold_on":"2024-03-01","sold_at":"2024-03-01T00:00:00",'
    b'"paid_at":"2024-03-01T00:00:00Z","amount":"0","paid":true,"payload":"AQ==","big":7,'
    b'"ratio":2.0}\n]'
)
FORMATS = [OutputFormat.CSV, OutputFormat.JSON]


def written_by_writer(output_format: OutputFormat, rows: Sequence[Row]) -> bytes:
    """The writer handed Python values, all rows in one batch."""
    target = io.BytesIO()
    writer = FileReportRenderer().open(output_format, target, COLUMNS)
    writer.write_rows(rows)
    writer.close()
    return target.getvalue()


async def made_by_a_job(
    url: str, output_format: OutputFormat, results: Path, *, direct_sqlite: bool = True
) -> bytes:
    """The file a job makes of ``QUERY`` on ``url``, two rows a batch, as the store keeps it."""
    queries = SqlAlchemyReportQueries({"formats": url}, direct_sqlite=direct_sqlite)
    store = LocalResultStore(results)
    maker = ReportFileMaker(queries, FileReportRenderer(), store, batch_rows=2)
    report = ReportConfiguration(
        "formats", "Formats", "formats", QUERY, tuple(FORMATS), (ASYNC_API,)
    )
    job = Job.queue(
        report_id=report.id,
        requested_by="alice",
        request=ReportRequest(parameters={}, format=output_format),
        now=datetime.now(UTC),
    )
    progress: list[int] = []

    try:
        result = await maker.make(job, report, ReportLimits(), progress.append)
    finally:
        await queries.stop()
    content = (results / result.key).read_bytes()
    assert progress == [2, 4, 6]
    assert (result.row_count, result.size_bytes) == (len(ROWS), len(content))
    assert result.sha256 == hashlib.sha256(content).hexdigest()
    return content


def sqlite_data_source(path: Path) -> str:
    """A SQLite file holding ``SQLITE_ROWS`` in columns without type affinity."""
    connection = sqlite3.connect(path)
    with connection:
        connection.execute(f"CREATE TABLE sold ({', '.join(COLUMNS)})")
        marks = ", ".join("?" * len(COLUMNS))
        connection.executemany(f"INSERT INTO sold VALUES ({marks})", SQLITE_ROWS)  # noqa: S608
    connection.close()
    return f"sqlite+aiosqlite:///{path}"


async def postgres_data_source(url: str) -> str:
    """The PostgreSQL database at ``url`` holding ``ROWS`` in typed columns."""
    connection = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        await connection.execute(
            "CREATE TABLE sold (id integer, label text, sold_on date, sold_at timestamp,"
            " paid_at timestamptz, amount numeric, paid boolean, payload bytea, big bigint,"
            " ratio double precision)"
        )
        await connection.copy_records_to_table("sold", records=ROWS, columns=COLUMNS)
    finally:
        await connection.close()
    return url


def test_the_rules_written_down_are_what_the_writers_write() -> None:
    assert written_by_writer(OutputFormat.CSV, ROWS) == EXPECTED_CSV
    assert written_by_writer(OutputFormat.CSV, SQLITE_ROWS) == EXPECTED_CSV
    assert written_by_writer(OutputFormat.JSON, ROWS) == EXPECTED_JSON
    assert csv_module_bytes(COLUMNS, [ROWS]) == EXPECTED_CSV
    assert dict_per_row_bytes(COLUMNS, [ROWS]) == EXPECTED_JSON


@pytest.mark.parametrize("output_format", FORMATS)
@pytest.mark.parametrize("direct_sqlite", [True, False], ids=["direct", "sqlalchemy"])
async def test_sqlite_paths_write_the_same_bytes(
    tmp_path: Path, output_format: OutputFormat, direct_sqlite: bool
) -> None:
    url = sqlite_data_source(tmp_path / "sold.sqlite3")
    made = await made_by_a_job(
        url, output_format, tmp_path / "results", direct_sqlite=direct_sqlite
    )
    assert made == written_by_writer(output_format, SQLITE_ROWS)
    if output_format is OutputFormat.CSV:
        assert made == EXPECTED_CSV


@pytest.mark.postgres
@pytest.mark.parametrize("output_format", FORMATS)
async def test_postgres_writes_the_same_bytes(
    postgres_url: str, tmp_path: Path, output_format: OutputFormat
) -> None:
    url = await postgres_data_source(postgres_url)
    made = await made_by_a_job(url, output_format, tmp_path / "results")
    assert made == {OutputFormat.CSV: EXPECTED_CSV, OutputFormat.JSON: EXPECTED_JSON}[output_format]


@pytest.mark.parametrize("output_format", FORMATS)
async def test_sqlite_columns_of_mixed_types_are_written_value_by_value(
    tmp_path: Path, output_format: OutputFormat
) -> None:
    values: list[object] = [7, "seven", 7.5, b"\x07", None, "a,b", 2**62, "", 120.0, "\r\n"]
    rows = [(n, values[n % len(values)], values[(3 * n) % len(values)]) for n in range(40)]
    path = tmp_path / "mixed.sqlite3"
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("CREATE TABLE mixed (n INTEGER, anything, quantity NUMERIC)")
        connection.executemany("INSERT INTO mixed VALUES (?, ?, ?)", rows)
    stored = connection.execute("SELECT n, anything, quantity FROM mixed ORDER BY n").fetchall()
    connection.close()
    assert {type(value) for row in stored for value in row[1:]} == {
        int, str, float, bytes, type(None)
    }  # fmt: skip
    assert stored[6] == (6, 2**62, 120)  # a NUMERIC column keeps 120.0 as the integer 120
    url, results = f"sqlite+aiosqlite:///{path}", tmp_path / "results"
    reference = {OutputFormat.CSV: csv_module_bytes, OutputFormat.JSON: dict_per_row_bytes}
    expected = reference[output_format](["n", "anything", "quantity"], [stored])
    for direct_sqlite in (True, False):
        queries = SqlAlchemyReportQueries({"mixed": url}, direct_sqlite=direct_sqlite)
        target = io.BytesIO()
        try:
            query = "SELECT n, anything, quantity FROM mixed ORDER BY n"
            async with queries.run("mixed", query, {}, (), batch_size=3) as source:
                writer = FileReportRenderer().open(output_format, target, source.columns)
                assert sum([size async for size in source.pour(writer)]) == len(rows)
                writer.close()
        finally:
            await queries.stop()
        assert target.getvalue() == expected, direct_sqlite
    assert not results.exists()
