"""XLSX workbooks with pure-Python XlsxWriter in constant-memory mode.

The fallback where the Rust-backed writer (``xlsx_rust``) has no wheel: the
same workbook, about six times slower.
"""

from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import xlsxwriter

from adapters.rendering.csv_writer import text_of
from adapters.rendering.xlsx_layout import (
    COLUMN_WIDTH,
    DATE_FORMAT,
    DATETIME_FORMAT,
    EXACT_INTEGER_LIMIT,
    EXCEL_DATA_ROWS_PER_SHEET,
    TIME_FORMAT,
    excel_date,
    scratch_directory,
    sheet_name,
)
from application.reports.ports import Row


class XlsxWriterFormatWriter:
    """Writes a workbook with a sheet "Report" (then "Report (2)", ... past Excel's row limit).

    Each sheet starts with the column names in bold. Numbers (decimals too) are
    numbers, dates and date-times are Excel dates (date-times in UTC), ``None``
    is a blank cell; text is never read as a formula, a number or a link. The
    sheets' rows wait in a private directory under ``temporary_directory`` (the
    system's by default), removed on ``close`` or when the writer is dropped.
    """

    def __init__(
        self,
        target: BinaryIO,
        columns: Sequence[str],
        *,
        rows_per_sheet: int = EXCEL_DATA_ROWS_PER_SHEET,
        temporary_directory: Path | None = None,
    ) -> None:
        self._columns = list(columns)
        self._rows_per_sheet = rows_per_sheet
        scratch, self._remove_scratch = scratch_directory(self, temporary_directory)
        options = {
            "constant_memory": True,
            "tmpdir": scratch,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": True,
            "default_date_format": DATE_FORMAT,
        }
        self._workbook = xlsxwriter.Workbook(target, options)
        self._header = self._workbook.add_format({"bold": True})
        self._date = self._workbook.add_format({"num_format": DATE_FORMAT})
        self._datetime = self._workbook.add_format({"num_format": DATETIME_FORMAT})
        self._time = self._workbook.add_format({"num_format": TIME_FORMAT})
        self._sheets = 0
        self._sheet: Any = None
        self._row = 0
        self._add_sheet()

    def write_rows(self, rows: Sequence[Row]) -> None:
        """Append ``rows``, starting a new sheet whenever one is full."""
        for row in rows:
            if self._row > self._rows_per_sheet:
                self._add_sheet()
            for column, value in enumerate(row):
                self._write(column, value)
            self._row += 1

    def close(self) -> None:
        """Write the workbook (a zip file) into the target, which stays open."""
        try:
            self._workbook.close()
        finally:
            self._remove_scratch()

    def _add_sheet(self) -> None:
        self._sheets += 1
        self._sheet = self._workbook.add_worksheet(sheet_name(self._sheets))
        self._sheet.set_column(0, max(len(self._columns) - 1, 0), COLUMN_WIDTH)
        self._sheet.freeze_panes(1, 0)
        for column, name in enumerate(self._columns):
            self._sheet.write_string(0, column, name, self._header)
        self._row = 1

    def _write(self, column: int, value: object) -> None:
        sheet, row = self._sheet, self._row
        if value is None:
            return
        if isinstance(value, bool):
            sheet.write_boolean(row, column, value)
        elif isinstance(value, float | Decimal) or (
            isinstance(value, int) and abs(value) < EXACT_INTEGER_LIMIT
        ):
            sheet.write_number(row, column, float(value))
        elif isinstance(value, date) and (moment := excel_date(value)) is not None:
            style = self._datetime if isinstance(moment, datetime) else self._date
            sheet.write_datetime(row, column, moment, style)
        elif isinstance(value, time):
            sheet.write_datetime(row, column, value.replace(tzinfo=None), self._time)
        else:
            sheet.write_string(row, column, text_of(value))
