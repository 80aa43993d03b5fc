"""The report file formats: CSV, JSON and XLSX, written a batch at a time and read back."""

import gc
import io
import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from adapters.rendering import FileReportRenderer
from adapters.rendering.csv_writer import CsvFormatWriter
from adapters.rendering.json_writer import JsonFormatWriter
from adapters.rendering.xlsx_writer import EXCEL_DATA_ROWS_PER_SHEET, XlsxFormatWriter
from application.reports.ports import Row
from domain.reports import OutputFormat

COLUMNS = ["id", "sold_on", "sold_at", "amount", "paid", "note"]
SOLD_AT = datetime(2024, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=2)))
ROWS: list[Row] = [
    (1, date(2024, 3, 1), SOLD_AT, Decimal("19.90"), True, "plain"),
    (2, None, None, Decimal("1E+3"), False, None),
]


def render(output_format: OutputFormat, batches: list[list[Row]]) -> bytes:
    target = io.BytesIO()
    writer = FileReportRenderer().open(output_format, target, COLUMNS)
    for batch in batches:
        writer.write_rows(batch)
    writer.close()
    assert not target.closed
    return target.getvalue()


def test_renderer_names_the_media_type_of_each_format() -> None:
    renderer = FileReportRenderer()
    assert renderer.content_type(OutputFormat.CSV) == "text/csv; charset=utf-8"
    assert renderer.content_type(OutputFormat.JSON) == "application/json"
    assert renderer.content_type(OutputFormat.XLSX) == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def test_csv_has_a_header_crlf_lines_and_quotes_only_where_needed() -> None:
    target = io.BytesIO()
    writer = CsvFormatWriter(target, ["name", "note"])
    writer.write_rows([("a,b", 'say "hi"'), ("two\nlines", "=1+1")])
    writer.write_rows([("é", "")])
    writer.close()
    assert target.getvalue() == (
        b'name,note\r\n"a,b","say ""hi"""\r\n"two\nlines",=1+1\r\n\xc3\xa9,\r\n'
    )


def test_csv_writes_nulls_dates_decimals_booleans_and_bytes_as_text() -> None:
    text = render(OutputFormat.CSV, [ROWS[:1], ROWS[1:]]).decode()
    assert text.split("\r\n") == [
        "id,sold_on,sold_at,amount,paid,note",
        "1,2024-03-01,2024-03-01T12:30:00+02:00,19.90,true,plain",
        "2,,,1000,false,",
        "",
    ]
    target = io.BytesIO()
    writer = CsvFormatWriter(target, ["blob"])
    writer.write_rows([(b"\x00\xff",)])
    writer.close()
    assert target.getvalue() == b"blob\r\nAP8=\r\n"


def test_json_is_an_array_of_objects_that_parses_back_to_the_rows() -> None:
    parsed = json.loads(render(OutputFormat.JSON, [ROWS[:1], [], ROWS[1:]]))
    assert parsed == [
        {
            "id": 1,
            "sold_on": "2024-03-01",
            "sold_at": "2024-03-01T12:30:00+02:00",
            "amount": "19.90",
            "paid": True,
            "note": "plain",
        },
        {"id": 2, "sold_on": None, "sold_at": None, "amount": "1E+3", "paid": False, "note": None},
    ]


def test_json_of_no_rows_is_an_empty_array() -> None:
    assert render(OutputFormat.JSON, []) == b"[]"
    target = io.BytesIO()
    writer = JsonFormatWriter(target, COLUMNS)
    writer.write_rows([])
    writer.close()
    assert target.getvalue() == b"[]"


def test_json_writes_utc_times_with_z_and_unknown_types_as_text() -> None:
    target = io.BytesIO()
    writer = JsonFormatWriter(target, ["at", "path"])
    writer.write_rows([(datetime(2024, 1, 1, tzinfo=UTC), Path("a/b"))])
    writer.close()
    assert json.loads(target.getvalue()) == [{"at": "2024-01-01T00:00:00Z", "path": "a/b"}]


def test_xlsx_has_a_bold_header_and_typed_cells() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(render(OutputFormat.XLSX, [ROWS, []])))
    assert workbook.sheetnames == ["Report"]
    sheet = workbook["Report"]
    header, first, second = sheet.iter_rows()
    assert [cell.value for cell in header] == COLUMNS
    assert all(cell.font.bold for cell in header)
    assert [cell.value for cell in first] == [
        1,
        datetime(2024, 3, 1),
        datetime(2024, 3, 1, 10, 30),  # in UTC
        19.9,
        True,
        "plain",
    ]
    assert first[1].number_format == "yyyy-mm-dd"
    assert first[2].number_format == "yyyy-mm-dd hh:mm:ss"
    assert [cell.value for cell in second] == [2, None, None, 1000, False, None]


def test_xlsx_keeps_text_that_looks_like_a_formula_or_number_as_text() -> None:
    target = io.BytesIO()
    writer = XlsxFormatWriter(target, ["text", "big id"])
    writer.write_rows([("=SUM(A1:A2)", 12345678901234567890), ("00123", -(10**16))])
    writer.close()
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    values = [[(cell.value, cell.data_type) for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert values == [
        [("=SUM(A1:A2)", "s"), ("12345678901234567890", "s")],
        [("00123", "s"), ("-10000000000000000", "s")],
    ]


def test_xlsx_continues_on_a_new_sheet_when_one_is_full() -> None:
    target = io.BytesIO()
    writer = XlsxFormatWriter(target, ["n"], rows_per_sheet=3)
    writer.write_rows([(n,) for n in range(1, 6)])
    writer.write_rows([(n,) for n in range(6, 8)])
    writer.close()
    workbook = openpyxl.load_workbook(target)
    assert workbook.sheetnames == ["Report", "Report (2)", "Report (3)"]
    contents = [[row[0] for row in sheet.iter_rows(values_only=True)] for sheet in workbook]
    assert contents == [["n", 1, 2, 3], ["n", 4, 5, 6], ["n", 7]]
    assert all(sheet["A1"].font.bold for sheet in workbook)


def test_xlsx_sheets_hold_excels_maximum_of_rows_by_default() -> None:
    assert EXCEL_DATA_ROWS_PER_SHEET == 1_048_576 - 1  # Excel's rows, less the header


@pytest.mark.parametrize("closed", [True, False])
def test_xlsx_leaves_no_temporary_files_behind(tmp_path: Path, closed: bool) -> None:
    writer = XlsxFormatWriter(io.BytesIO(), ["n"], temporary_directory=tmp_path)
    writer.write_rows([(1,), (2,)])
    assert list(tmp_path.iterdir())
    if closed:
        writer.close()
    del writer
    gc.collect()
    assert list(tmp_path.iterdir()) == []
