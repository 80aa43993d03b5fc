"""CSV files (RFC 4180): a header row, CRLF line endings, fields quoted where needed.

Values are written as they are, with no defence against spreadsheet formula
injection (no quote prefixed to cells starting with ``=``, ``+``, ``-`` or
``@``): a CSV report is data for programs, and altering values would corrupt
it. People who open reports in a spreadsheet get the XLSX format, whose cells
are never read as formulas.

The bytes are exactly those of Python's ``csv.writer`` (``QUOTE_MINIMAL``,
``lineterminator="\\r\\n"``) over ``text_of`` of each value, but rows are
formatted a thousand or so at once: one ``%`` of a row template repeated, then a
check that no field needs quotes (commas, quotes and line breaks counted over
all of them). Only the rows of a slice that fails the check go through
``csv.writer``.
"""

import base64
import csv
from collections.abc import Sequence
from datetime import date, time
from decimal import Decimal
from itertools import chain, islice
from typing import BinaryIO

from adapters.rendering.chunks import chunks
from application.reports.ports import Row

#: Types whose text ``%s`` already writes as ``text_of`` does (``None`` once it is ``""``).
_PLAIN_TYPES = frozenset({str, int, float, type(None)})
_EMPTY_FOR_NULL: dict[object, object] = {None: ""}
_MARKS = ("\r", "\n", '"')


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
        self._target = target
        self._width = len(columns)
        self._template = ",".join(["%s"] * self._width) + "\r\n"
        self._lines: list[str] = []
        self._csv = csv.writer(_LineSink(self._lines), lineterminator="\r\n")
        self._csv.writerow(columns)
        target.write(self._lines.pop().encode())

    def write_rows(self, rows: Sequence[Row]) -> None:
        """Append one CSV record per row."""
        for chunk in chunks(rows, self._width):
            self._write(chunk)

    def close(self) -> None:
        """Flush what was written; the target stays open."""
        self._target.flush()

    def _write(self, rows: Sequence[Row]) -> None:
        if not rows:
            return
        values = _texts(rows)
        text = None
        if len(values) == len(rows) * self._width:
            text = (self._template * len(rows)) % values
        if text is None or not self._quotes_nothing(text, len(rows)):
            text = self._row_by_row(rows, values)
        self._target.write(text.encode())

    def _quotes_nothing(self, text: str, rows: int) -> bool:
        """Whether no field of the formatted ``rows`` holds a comma, a quote or a line break,
        and (one column) none is empty: the only cases ``QUOTE_MINIMAL`` quotes."""
        if '"' in text or text.count(",") != rows * (self._width - 1):
            return False
        if text.count("\n") != rows or text.count("\r") != rows:
            return False
        return self._width != 1 or not (text.startswith("\r\n") or "\r\n\r\n" in text)

    def _row_by_row(self, rows: Sequence[Row], values: tuple[object, ...]) -> str:
        """Each row formatted by the template, or by ``csv.writer`` where it needs quotes."""
        lines, remaining = self._lines, iter(values)
        for row in rows:
            fields = list(islice(remaining, len(row)))
            line = ",".join(map(str, fields))
            if _needs_no_quotes(line, len(fields)):
                lines.append(line + "\r\n")
            else:
                self._csv.writerow(fields)
        text = "".join(lines)
        lines.clear()
        return text


class _LineSink:
    """A file for ``csv.writer`` that keeps each line it writes in a list."""

    def __init__(self, lines: list[str]) -> None:
        self.write = lines.append


def _texts(rows: Sequence[Row]) -> tuple[object, ...]:
    """The values of ``rows`` in order, each one something ``%s`` writes as ``text_of`` does."""
    values = tuple(chain.from_iterable(rows))
    types = set(map(type, values))
    if not types <= _PLAIN_TYPES:
        return tuple(map(text_of, values))
    if type(None) in types:
        return tuple(map(_EMPTY_FOR_NULL.get, values, values))
    return values


def _needs_no_quotes(line: str, fields: int) -> bool:
    """Whether the ``fields`` joined into ``line`` hold no comma, quote or line break and
    are not one empty field: ``csv.writer`` would write them as they are."""
    if any(mark in line for mark in _MARKS) or line.count(",") != fields - 1:
        return False
    return fields != 1 or line != ""
