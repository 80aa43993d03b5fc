"""The CSV and JSON writers format whole batches, yet write exactly the bytes of the
straightforward way: ``csv.writer`` over ``text_of`` of each value, one dict per row for JSON."""

import io
import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.rendering.chunks import CHUNK_VALUES, chunks
from adapters.rendering.csv_writer import CsvFormatWriter
from adapters.rendering.json_writer import JsonFormatWriter
from application.reports.ports import Row
from tests.format_references import csv_module_bytes, dict_per_row_bytes

TRICKY_TEXT = [
    "", " ", "plain", "a,b", ",", 'say "hi"', '"', "two\nlines", "cr\rhere", "crlf\r\n", "\r\n",
    "é ünïcødé ✓ 😀", "=1+1", "None", "b'x'", "%s", "tab\there", "x\x00y",
]  # fmt: skip
VALUES: list[object] = [
    *TRICKY_TEXT, None, 0, -1, 2**63 - 1, -(2**63), 10**30, 0.1, -0.0, 1e16, 1.5e-7,
    float("nan"), float("inf"), True, False, Decimal("1E+3"), Decimal("19.90"),
    Decimal("-0.0000001"), date(2024, 3, 1), datetime(2024, 3, 1, 12, 30, 0, 123456),
    datetime(2024, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=2))),
    datetime(2024, 3, 1, tzinfo=UTC), time(23, 59, 1), b"\x00\xff", b"", Path("a/b"),
]  # fmt: skip
PLAIN_VALUES: list[object] = [v for v in VALUES if type(v) in (str, int, float)]


def written(
    writer_type: type[CsvFormatWriter | JsonFormatWriter],
    columns: Sequence[str],
    batches: Sequence[Sequence[Row]],
) -> bytes:
    target = io.BytesIO()
    writer = writer_type(target, columns)
    for batch in batches:
        writer.write_rows(batch)
    writer.close()
    return target.getvalue()


def random_batches(
    seed: int, width: int, pool: Sequence[object], quiet_batches: bool = False
) -> list[list[Row]]:
    """Batches of 1 to 40 rows drawn from ``pool``; with ``quiet_batches`` every other batch
    holds only values that need no quotes, so both ways of formatting a batch are taken."""
    chance = random.Random(seed)
    quiet = [v for v in pool if not (isinstance(v, str) and (set(v) & set(',"\r\n') or not v))]
    batches: list[list[Row]] = []
    for number in range(30):
        source = quiet if quiet_batches and number % 2 else pool
        rows = chance.randint(1, 40)
        batches.append([tuple(chance.choices(source, k=width)) for _ in range(rows)])
    return batches


@pytest.mark.parametrize("width", [1, 2, 7])
@pytest.mark.parametrize("pool", [VALUES, PLAIN_VALUES], ids=["any-type", "sqlite-types"])
def test_csv_batches_are_the_bytes_of_the_csv_module(width: int, pool: list[object]) -> None:
    columns = [f"column {n}" for n in range(width)]
    for seed in range(20):
        batches = random_batches(seed, width, pool, quiet_batches=seed % 2 == 0)
        assert written(CsvFormatWriter, columns, batches) == csv_module_bytes(columns, batches)


@pytest.mark.parametrize(
    "row",
    [("",), (None,), ("a,b",), ('"',), ("\r",), ("\n",), ("x",), (" ",), (0,), (0.0,)],
)
def test_csv_of_one_column_quotes_exactly_what_the_csv_module_quotes(row: Row) -> None:
    batches = [[("plain",), row, ("plain",)], [row], [row, row]]
    assert written(CsvFormatWriter, ["n"], batches) == csv_module_bytes(["n"], batches)


def test_csv_writes_a_batch_without_quotes_as_one_template() -> None:
    batches = [[(1, "a", 0.5, None), (2, "b", 1e16, "x")]]
    assert written(CsvFormatWriter, ["id", "t", "f", "n"], batches) == (
        b"id,t,f,n\r\n1,a,0.5,\r\n2,b,1e+16,x\r\n"
    )


def test_csv_header_is_quoted_like_any_row() -> None:
    columns = ["id", "a,b", 'say "hi"', "line\nbreak"]
    assert written(CsvFormatWriter, columns, []) == csv_module_bytes(columns, [])
    assert written(CsvFormatWriter, columns, []).startswith(b'id,"a,b","say ""hi""","line\n')


@pytest.mark.parametrize(
    "columns",
    [
        ["id", "amount", "note"],
        ["é", "", "x y", "€/😀", "c0"],
        ["same", "same", "other"],
        ['say "hi"', "back\\slash", "tab\there", "new\nline"],
    ],
    ids=["names", "unicode-and-empty", "repeated", "quotes-and-control-characters"],
)
def test_json_batches_are_the_bytes_of_one_dict_per_row(columns: list[str]) -> None:
    for seed in range(10):
        batches = random_batches(seed, len(columns), VALUES)
        batches.insert(seed % 3, [])
        assert written(JsonFormatWriter, columns, batches) == dict_per_row_bytes(columns, batches)


@pytest.mark.parametrize("writer_type", [CsvFormatWriter, JsonFormatWriter])
def test_a_large_batch_is_formatted_in_slices_into_the_same_bytes(
    writer_type: type[CsvFormatWriter | JsonFormatWriter],
) -> None:
    columns = [f"c{n}" for n in range(7)]
    chance = random.Random(7)
    quiet = [v for v in PLAIN_VALUES if not (isinstance(v, str) and set(v) & set(',"\r\n'))]
    batch = [tuple(chance.choices(quiet, k=7)) for _ in range(3_000)]
    batch[2_500] = ("a,b", *batch[2_500][1:])  # one slice of the batch needs quotes
    assert len(list(chunks(batch, len(columns)))) > 3
    reference = csv_module_bytes if writer_type is CsvFormatWriter else dict_per_row_bytes
    assert written(writer_type, columns, [batch, batch[:10]]) == reference(
        columns, [batch, batch[:10]]
    )


def test_chunks_cover_the_rows_in_order_in_slices_of_about_the_same_number_of_values() -> None:
    rows: list[Row] = [(n,) * 4 for n in range(10_000)]
    sizes = [len(chunk) for chunk in chunks(rows, 4)]
    assert sizes == [CHUNK_VALUES // 4] * 6 + [10_000 - 6 * (CHUNK_VALUES // 4)]
    assert [row for chunk in chunks(rows, 4) for row in chunk] == rows
    assert [len(chunk) for chunk in chunks(rows[:3], 10 * CHUNK_VALUES)] == [1, 1, 1]


def test_csv_of_rows_of_other_lengths_and_of_empty_batches_is_the_csv_modules() -> None:
    batches: list[list[Row]] = [[], [(1, 2), (3,), (4, "a,b", 6), ()], []]
    assert written(CsvFormatWriter, ["a", "b"], batches) == csv_module_bytes(["a", "b"], batches)
