"""Conditional and partial downloads: ``If-None-Match`` and single ``Range`` (RFC 9110)."""

import re
from dataclasses import dataclass

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


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
    match = _RANGE.match(header.strip()) if header else None
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable(header)
        return ByteRange(max(size - suffix, 0), size - 1)
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        raise RangeNotSatisfiable(header)
    end = min(int(last), size - 1) if last else size - 1
    return ByteRange(start, end)


def etag_matches(header: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak comparison) or is ``*``."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag in tags
