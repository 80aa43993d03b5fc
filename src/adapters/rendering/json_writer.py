"""JSON files: one array of objects keyed by column name, streamed a batch at a time."""

import re
from collections.abc import Callable, Iterable, Sequence
from itertools import starmap
from typing import Any, BinaryIO

import msgspec

from adapters.rendering.chunks import chunks
from application.reports.ports import Row

#: Column names msgspec cannot take as a field's JSON name (it writes those unescaped).
_NOT_A_FIELD_NAME = re.compile(r'["\\\x00-\x1f]')


class JsonFormatWriter:
    """Writes ``[`` then one object per row (``,\\n`` between them) then ``]``.

    Dates and date-times are ISO 8601 strings (UTC ones end in ``Z``), decimals
    are strings so no digit is lost, bytes are base64, and values of any other
    type are written as their ``str``. An empty result is ``[]``.

    Each row becomes an instance of a msgspec ``Struct`` whose fields carry the
    column names, encoded in one C call per row; where the names cannot be
    fields (repeated, or holding quotes, backslashes or control characters) each
    row becomes a dict instead, which encodes to the same bytes.
    """

    def __init__(self, target: BinaryIO, columns: Sequence[str]) -> None:
        self._target = target
        self._encode = msgspec.json.Encoder(enc_hook=str, decimal_format="string").encode
        self._objects = _row_objects(list(columns))
        self._width = len(columns)
        self._separator = b"\n"
        target.write(b"[")

    def write_rows(self, rows: Sequence[Row]) -> None:
        """Append one JSON object per row."""
        for chunk in chunks(rows, self._width):
            if chunk:
                objects = b",\n".join(map(self._encode, self._objects(chunk)))
                self._target.write(self._separator + objects)
                self._separator = b",\n"

    def close(self) -> None:
        """Close the array; the target stays open."""
        self._target.write(b"]" if self._separator == b"\n" else b"\n]")
        self._target.flush()


def _row_objects(columns: list[str]) -> Callable[[Sequence[Row]], Iterable[Any]]:
    """What turns rows into objects keyed by ``columns``, in column order."""
    if len(set(columns)) < len(columns) or any(map(_NOT_A_FIELD_NAME.search, columns)):
        return lambda rows: (dict(zip(columns, row, strict=True)) for row in rows)
    fields = [f"c{index}" for index in range(len(columns))]
    row_type = msgspec.defstruct(
        "ReportRow", fields, rename=dict(zip(fields, columns, strict=True)), gc=False
    )
    return lambda rows: starmap(row_type, rows)
