"""CSV files (RFC 4180): a header row, CRLF line endings, fields quoted where needed.

Values are written as they are, with no defence against spreadsheet formula
injection (no quote prefixed to cells starting with ``=``, ``+``, ``-`` or
``@``): a CSV report is data for programs, and altering values would corrupt
it. People who open reports in a spreadsheet get the XLSX format, whose cells
are never read as formulas.
"""

import base64
import csv
import io
from collections.abc import Sequence
from datetime import date, time
from decimal import Decimal
from typing import BinaryIO

from application.reports.ports import Row


def text_of(value: object) -> str:
    """A value as report text.

    ``None`` is empty; booleans are ``true``/``false``; dates, times and
    date-times are ISO 8601; decimals are plain (never in exponent form); bytes
    are standard base64; anything else is ``str(value)``.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(value).decode("ascii")
    return str(value)


class CsvFormatWriter:
    """Writes UTF-8 CSV into a binary target, which stays open after ``close``."""

    def __init__(self, target: BinaryIO, columns: Sequence[str]) -> None:
        self._text = io.TextIOWrapper(target, encoding="utf-8", newline="")
        self._csv = csv.writer(self._text, lineterminator="\r\n")
        self._csv.writerow(columns)

    def write_rows(self, rows: Sequence[Row]) -> None:
        """Append one CSV record per row."""
        self._csv.writerows([text_of(value) for value in row] for row in rows)

    def close(self) -> None:
        """Flush the text buffer into the target and let go of it (without closing it)."""
        self._text.flush()
        self._text.detach()
