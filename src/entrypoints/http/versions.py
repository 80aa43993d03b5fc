"""Report versions on the wire: a strong ``ETag`` per version, read back from ``If-Match``."""

import re

from application.reports.versions import ANY_VERSION, ExpectedVersion
from domain.errors import StaleReportVersion

_TAG = re.compile(r'\s*"(\d{1,9})"\s*')
#: RFC 9110: ``*``, or a list of entity tags, each quoted and perhaps weak (``W/``).
_ENTITY_TAGS = re.compile(r'\s*(\*|(W/)?"[^"]*"(\s*,\s*(W/)?"[^"]*")*)\s*')


class InvalidPrecondition(ValueError):
    """A precondition header that is not what HTTP allows there (answered 400)."""


def etag(version: int) -> str:
    """The ``ETag`` of a report at ``version``."""
    return f'"{version}"'


def expected_version(header: str | None) -> ExpectedVersion | None:
    """The version named by ``If-Match`` (``header``); ``None`` without the header.

    ``*`` matches whatever version the report is at (RFC 9110: any current
    representation). If-Match compares strongly, so a weak tag (``W/"2"``) never
    matches, nor does a tag this service did not hand out (or several): each is
    answered as stale (412). A value that is no entity tag at all (``2`` without
    its quotes) is a malformed request: ``InvalidPrecondition``.
    """
    if header is None:
        return None
    if not _ENTITY_TAGS.fullmatch(header):
        raise InvalidPrecondition(
            f"If-Match must be the report's ETag as it was sent, quotes included (e.g. "
            f"'\"2\"'), not {header.strip()[:40]!r}."
        )
    if header.strip() == "*":
        return ANY_VERSION
    match = _TAG.fullmatch(header)
    if match is None:
        raise StaleReportVersion(current=None)
    return int(match.group(1))
