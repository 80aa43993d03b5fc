"""XLSX workbooks with rust_xlsxwriter, through rvgsrust-xlsxwriter, in constant-memory mode.

Chosen by measurement (rows of six columns, writer alone): five to six times
less CPU than pure-Python XlsxWriter. Writing rows holds memory flat (~30 MB);
``close`` holds the compressed workbook in memory once (about 31 MB per million
rows of that shape). It has what this report needs that the other Rust
binding (rustpy-xlsxwriter) lacks: a row-at-a-time worksheet API (sheets are
added as rows come, not declared up front), column names kept as a list
(duplicates allowed), distinct date and date-time formats. Its wheels are for
Linux x86_64 only; elsewhere ``xlsx_writer`` falls back to ``xlsx_xlsxwriter``,
which writes the same workbook.
"""

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from rvgsrust_xlsxwriter import Workbook, Worksheet

from adapters.rendering.xlsx_cells import CellMaker, TimeOfDay
from adapters.rendering.xlsx_layout import (
    COLUMN_WIDTH,
    EXCEL_DATA_ROWS_PER_SHEET,
    TIME_FORMAT,
    scratch_directory,
    sheet_name,
)
from application.reports.ports import Row


class RustXlsxFormatWriter:
    """Writes a workbook with a sheet "Report" (then "Report (2)", ... past Excel's row limit).

    Each sheet starts with the column names in bold, its first row frozen.
    Numbers (decimals too) are numbers, dates and date-times are Excel dates
    (date-times in UTC), ``None`` is a blank cell, NaN and infinities are the
    texts ``NAN``/``INF``; text is never read as a formula, a number or a link.
    Rows are written a batch at a time. The sheets' rows, then the workbook,
    wait in a private directory under ``temporary_directory`` (the system's by
    default), removed on ``close`` or when the writer is dropped.
    """

    def __init__(
        self,
        target: BinaryIO,
        columns: Sequence[str],
        *,
        rows_per_sheet: int = EXCEL_DATA_ROWS_PER_SHEET,
        temporary_directory: Path | None = None,
    ) -> None:
        self._target = target
        self._columns = list(columns)
        self._rows_per_sheet = rows_per_sheet
        scratch, self._remove_scratch = scratch_directory(self, temporary_directory)
        self._file = Path(scratch, "report.xlsx")
        self._workbook = Workbook(str(self._file))
        self._workbook.set_tempdir(scratch)
        self._workbook.use_zip_large_file(True)  # a sheet's XML may pass 4 GiB
        self._header = self._workbook.add_format().set_bold()
        self._time = self._workbook.add_format().set_num_format(TIME_FORMAT)
        self._cells = CellMaker()
        self._sheets = 0
        self._sheet = self._add_sheet()
        self._row = 1

    def write_rows(self, rows: Sequence[Row]) -> None:
        """Append ``rows``, starting a new sheet whenever one is full."""
        done = 0
        while done < len(rows):
            if self._row > self._rows_per_sheet:
                self._sheet, self._row = self._add_sheet(), 1
            part = rows[done : done + self._rows_per_sheet + 1 - self._row]
            self._write_part(self._cells.cells(part))
            done += len(part)

    def close(self) -> None:
        """Write the workbook (a zip file) into the target, which stays open."""
        try:
            self._workbook.close()
            with self._file.open("rb") as workbook:
                shutil.copyfileobj(workbook, self._target)
        finally:
            self._remove_scratch()

    def _add_sheet(self) -> Worksheet:
        self._sheets += 1
        sheet = self._workbook.add_worksheet(sheet_name(self._sheets), constant_memory=True)
        for column in range(len(self._columns)):
            sheet.set_column_width(column, COLUMN_WIDTH)
        sheet.freeze_panes(1, 0)
        sheet.write_row(0, 0, self._columns, self._header)
        return sheet

    def _write_part(self, cells: list[list[object]]) -> None:
        if not self._cells.has_times:
            self._sheet.write_rows(self._row, 0, cells)
            self._row += len(cells)
            return
        for row in cells:  # rare: a time needs its format, so its row is written alone
            self._sheet.write_rows(self._row, 0, [row])
            for column, value in enumerate(row):
                if isinstance(value, TimeOfDay):  # the row is still open: rewrite the cell
                    self._sheet.write(self._row, column, float(value), self._time)
            self._row += 1
