"""JSON files: one array of objects keyed by column name, streamed a batch at a time."""

from collections.abc import Sequence
from typing import BinaryIO

import msgspec

from application.reports.ports import Row


class JsonFormatWriter:
    """Writes ``[`` then one object per row (``,\\n`` between them) then ``]``.

    Dates and date-times are ISO 8601 strings (UTC ones end in ``Z``), decimals
    are strings so no digit is lost, bytes are base64, and values of any other
    type are written as their ``str``. An empty result is ``[]``.
    """

    def __init__(self, target: BinaryIO, columns: Sequence[str]) -> None:
        self._target = target
        self._columns = list(columns)
        self._encoder = msgspec.json.Encoder(enc_hook=str, decimal_format="string")
        self._empty = True
        target.write(b"[")

    def write_rows(self, rows: Sequence[Row]) -> None:
        """Append one JSON object per row."""
        buffer = bytearray()
        for row in rows:
            buffer += b"\n" if self._empty else b",\n"
            self._empty = False
            self._encoder.encode_into(dict(zip(self._columns, row, strict=True)), buffer, -1)
        self._target.write(buffer)

    def close(self) -> None:
        """Close the array; the target stays open."""
        self._target.write(b"]" if self._empty else b"\n]")
        self._target.flush()
