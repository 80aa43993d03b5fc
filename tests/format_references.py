"""The report formats written the straightforward way, one value and one row at a time: the
bytes the batch-at-once writers must reproduce exactly."""

import csv
import io
from collections.abc import Sequence

import msgspec

from adapters.rendering.csv_writer import text_of
from application.reports.ports import Row


def csv_module_bytes(columns: Sequence[str], batches: Sequence[Sequence[Row]]) -> bytes:
    """What the CSV writer wrote before it formatted batches at once."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(columns)
    for batch in batches:
        writer.writerows([text_of(value) for value in row] for row in batch)
    return text.getvalue().encode()


def dict_per_row_bytes(columns: Sequence[str], batches: Sequence[Sequence[Row]]) -> bytes:
    """What the JSON writer wrote before it encoded rows as structs."""
    encoder = msgspec.json.Encoder(enc_hook=str, decimal_format="string")
    buffer, empty = bytearray(b"["), True
    for row in (row for batch in batches for row in batch):
        buffer += b"\n" if empty else b",\n"
        empty = False
        encoder.encode_into(dict(zip(columns, row, strict=True)), buffer, -1)
    return bytes(buffer + (b"]" if empty else b"\n]"))
