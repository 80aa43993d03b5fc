"""Report versions on the wire: a strong ``ETag`` per version, read back from ``If-Match``."""

import re
from typing import Any

from litestar import Request

from domain.errors import StaleReportVersion

_TAG = re.compile(r'^\s*"(\d{1,9})"\s*$')


def etag(version: int) -> str:
    """The ``ETag`` of a report at ``version``."""
    return f'"{version}"'


def expected_version(request: Request[Any, Any, Any]) -> int | None:
    """The version named by ``If-Match``; ``None`` without the header.

    A tag this service did not hand out (or ``*``, or several) cannot match a
    version: it is answered as stale (412).
    """
    header = request.headers.get("if-match")
    if header is None:
        return None
    match = _TAG.match(header)
    if match is None:
        raise StaleReportVersion(current=None)
    return int(match.group(1))
