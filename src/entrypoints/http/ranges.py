"""Conditional and partial downloads: ``If-None-Match`` and single ``Range`` (RFC 9110)."""

import re
from dataclasses import dataclass

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
#: Offsets beyond any file; longer digit strings are read as this, not converted
#: (Python refuses to convert more than 4,300 digits, and nothing needs them).
_BEYOND = 10**18


@dataclass(frozen=True, slots=True)
class ByteRange:
    """Bytes ``start`` to ``end``, both included."""

    start: int
    end: int

    @property
    def length(self) -> int:
        """How many bytes the range holds."""
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        """The ``Content-Range`` header value for a file of ``size`` bytes."""
        return f"bytes {self.start}-{self.end}/{size}"


class RangeNotSatisfiable(ValueError):
    """The range lies outside the file (answered with 416)."""


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one byte range asked for, or ``None`` to send the whole file.

    A header that is malformed or asks for several ranges is ignored, as
    RFC 9110 allows; a range that starts past the end is not satisfiable.
    """
    match = _RANGE.fullmatch(header.strip()) if header else None
    if match is None:
        return None
    first, last = (_offset(text) for text in match.groups())
    if first is None:
        if last is None:
            return None
        if last == 0 or size == 0:
            raise RangeNotSatisfiable(header)
        return ByteRange(max(size - last, 0), size - 1)
    if last is not None and last < first:
        return None
    if first >= size:
        raise RangeNotSatisfiable(header)
    end = min(last, size - 1) if last is not None else size - 1
    return ByteRange(first, end)


def _offset(digits: str) -> int | None:
    if not digits:
        return None
    return int(digits) if len(digits) <= len(str(_BEYOND)) else _BEYOND


def etag_matches(header: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak comparison) or is ``*``."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag in tags
