"""Both XLSX writers (Rust-backed, pure Python) write the same workbook, read back by openpyxl."""

import gc
import io
import platform
import sys
import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from adapters.rendering.xlsx_rust import RustXlsxFormatWriter
from adapters.rendering.xlsx_writer import XlsxFormatWriter
from adapters.rendering.xlsx_xlsxwriter import XlsxWriterFormatWriter
from application.reports.ports import Row

WRITERS = [RustXlsxFormatWriter, XlsxWriterFormatWriter]
PLUS_TWO = timezone(timedelta(hours=2))


def workbook(writer_class: Any, columns: list[str], *batches: list[Row], **options: Any) -> Any:
    target = io.BytesIO()
    writer = writer_class(target, columns, **options)
    for batch in batches:
        writer.write_rows(batch)
    writer.close()
    assert not target.closed
    return openpyxl.load_workbook(target)


def cells(sheet: Any) -> list[list[tuple[object, str, str]]]:
    return [
        [(cell.value, cell.data_type, cell.number_format) for cell in row]
        for row in sheet.iter_rows(min_row=2)
    ]


@pytest.mark.skipif(
    sys.platform != "linux" or platform.machine() != "x86_64", reason="Rust wheel: Linux x86_64"
)
def test_the_rust_backed_writer_is_the_one_used_where_its_wheel_installs() -> None:
    assert XlsxFormatWriter is RustXlsxFormatWriter


@pytest.mark.parametrize("writer_class", WRITERS)
def test_values_become_excel_numbers_dates_booleans_or_text(writer_class: Any) -> None:
    row = (
        7,
        -(10**15) + 1,
        10**15,
        2.5,
        Decimal("1E+3"),
        True,
        date(2024, 3, 1),
        datetime(2024, 3, 1, 12, 30, tzinfo=PLUS_TWO),
        datetime(2024, 3, 1, 12, 30, 15),
        time(13, 5, 7),
        date(1850, 1, 2),
        datetime(1899, 12, 31, 23, 0),
        None,
        b"\x00\xff",
        uuid.UUID(int=1),
    )
    sheet = workbook(writer_class, [f"c{n}" for n in range(len(row))], [row]).active
    assert cells(sheet) == [
        [
            (7, "n", "General"),
            (-(10**15) + 1, "n", "General"),
            ("1000000000000000", "s", "General"),
            (2.5, "n", "General"),
            (1000, "n", "General"),
            (True, "b", "General"),
            (datetime(2024, 3, 1), "d", "yyyy-mm-dd"),
            (datetime(2024, 3, 1, 10, 30), "d", "yyyy-mm-dd hh:mm:ss"),  # in UTC
            (datetime(2024, 3, 1, 12, 30, 15), "d", "yyyy-mm-dd hh:mm:ss"),
            (time(13, 5, 7), "d", "hh:mm:ss"),
            ("1850-01-02", "s", "General"),
            ("1899-12-31T23:00:00", "s", "General"),
            (None, "n", "General"),
            ("AP8=", "s", "General"),
            ("00000000-0000-0000-0000-000000000001", "s", "General"),
        ]
    ]


@pytest.mark.parametrize("writer_class", WRITERS)
def test_text_stays_text_whatever_it_looks_like(writer_class: Any) -> None:
    texts = ["=1+1", "=SUM(A1:A2)", "00123", "1e5", "https://example.com", "TRUE", "x" * 40_000]
    sheet = workbook(writer_class, ["text"], [(text,) for text in texts]).active
    assert [row[0][:2] for row in cells(sheet)] == [
        *[(text, "s") for text in texts[:-1]],
        ("x" * 32_767, "s"),  # Excel's limit of characters in a cell
    ]
    assert not sheet._hyperlinks


@pytest.mark.parametrize("writer_class", WRITERS)
def test_one_column_may_mix_types_as_sqlite_allows(writer_class: Any) -> None:
    mixed: list[Row] = [(1,), ("two",), (3.5,), (None,), (b"4",), (False,), (10**20,)]
    sheet = workbook(writer_class, ["mixed"], mixed[:3], mixed[3:]).active
    assert [row[0][:2] for row in cells(sheet)] == [
        (1, "n"),
        ("two", "s"),
        (3.5, "n"),
        (None, "n"),
        ("NA==", "s"),
        (False, "b"),
        ("100000000000000000000", "s"),
    ]


@pytest.mark.parametrize(
    ("writer_class", "written"),
    [
        (RustXlsxFormatWriter, ["NAN", "INF", "-INF"]),
        (XlsxWriterFormatWriter, ["=#NUM!", "=1/0", "=-1/0"]),  # error formulas
    ],
)
def test_nan_and_infinities_leave_a_readable_workbook(
    writer_class: Any, written: list[str]
) -> None:
    rows: list[Row] = [(float("nan"), 1), (float("inf"), 2), (float("-inf"), 3)]
    sheet = workbook(writer_class, ["value", "n"], rows).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)] == [
        [text, n] for text, n in zip(written, [1, 2, 3], strict=True)
    ]


@pytest.mark.parametrize("writer_class", WRITERS)
def test_every_sheet_has_the_bold_frozen_header_and_the_column_width(writer_class: Any) -> None:
    rows: list[Row] = [(n, n) for n in range(1, 6)]
    book = workbook(writer_class, ["id", "id"], rows[:2], rows[2:], rows_per_sheet=2)
    assert book.sheetnames == ["Report", "Report (2)", "Report (3)"]
    for sheet in book:
        assert [(cell.value, cell.font.bold) for cell in sheet[1]] == [("id", True)] * 2
        assert sheet.freeze_panes == "A2"
        widths = sheet.column_dimensions["A"]  # one record for columns A to B
        assert (widths.min, widths.max, round(widths.width, 2)) == (1, 2, 18.71)
    assert [[row[0] for row in sheet.iter_rows(values_only=True)] for sheet in book] == [
        ["id", 1, 2],
        ["id", 3, 4],
        ["id", 5],
    ]


@pytest.mark.parametrize("writer_class", WRITERS)
def test_times_keep_their_format_across_batches_and_sheets(writer_class: Any) -> None:
    rows: list[Row] = [(n, time(n, 30) if n % 2 else None) for n in range(1, 6)]
    book = workbook(writer_class, ["n", "at"], rows[:3], [], rows[3:], rows_per_sheet=4)
    written = [[row[1] for row in cells(sheet)] for sheet in book]
    at = [(time(n, 30), "d", "hh:mm:ss") if n % 2 else (None, "n", "General") for n in range(1, 6)]
    assert written == [at[:4], at[4:]]


@pytest.mark.parametrize("writer_class", WRITERS)
def test_a_report_of_no_rows_is_a_header_alone(writer_class: Any) -> None:
    book = workbook(writer_class, ["a", "b"], [])
    assert [list(row) for row in book["Report"].iter_rows(values_only=True)] == [["a", "b"]]


@pytest.mark.parametrize("writer_class", WRITERS)
@pytest.mark.parametrize("closed", [True, False])
def test_scratch_files_are_removed_on_close_or_when_dropped(
    writer_class: Any, closed: bool, tmp_path: Path
) -> None:
    writer = writer_class(io.BytesIO(), ["n"], temporary_directory=tmp_path)
    writer.write_rows([(1,), (2,)])
    assert list(tmp_path.iterdir())
    if closed:
        writer.close()
    del writer
    gc.collect()
    assert list(tmp_path.iterdir()) == []
