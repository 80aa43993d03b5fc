"""Byte ranges and entity tags of downloads (RFC 9110)."""

import pytest

from entrypoints.http.ranges import ByteRange, RangeNotSatisfiable, etag_matches, parse_range


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-9", ByteRange(0, 9)),
        ("bytes=90-", ByteRange(90, 99)),
        ("bytes=90-500", ByteRange(90, 99)),
        ("bytes=-10", ByteRange(90, 99)),
        ("bytes=-500", ByteRange(0, 99)),
        ("bytes=5-5", ByteRange(5, 5)),
        (None, None),
        ("bytes=9-0", None),
        ("bytes=0-1,5-6", None),
        ("items=0-9", None),
        ("bytes=-", None),
        ("bytes=a-b", None),
        ("bytes=0-" + "9" * 5000, ByteRange(0, 99)),
        ("bytes=-" + "9" * 5000, ByteRange(0, 99)),
        ("bytes=" + "9" * 5000 + "-" + "1", None),
    ],
)
def test_a_range_header_is_read_for_a_100_byte_file(
    header: str | None, expected: ByteRange | None
) -> None:
    assert parse_range(header, 100) == expected


@pytest.mark.parametrize(
    ("header", "size"),
    [("bytes=100-", 100), ("bytes=-0", 100), ("bytes=0-", 0), ("bytes=" + "9" * 5000 + "-", 100)],
)
def test_a_range_outside_the_file_is_not_satisfiable(header: str, size: int) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, size)


def test_content_range_and_length() -> None:
    assert ByteRange(10, 19).content_range(100) == "bytes 10-19/100"
    assert ByteRange(10, 19).length == 10


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        ('"abc"', True),
        ('W/"abc"', True),
        ('"x", "abc"', True),
        ("*", True),
        ('"x"', False),
        (None, False),
    ],
)
def test_if_none_match(header: str | None, matches: bool) -> None:
    assert etag_matches(header, '"abc"') is matches
