"""The ``Prefer`` request header (RFC 7240): the ``wait`` a client asks generate for."""

import re
from collections.abc import Iterable

#: One preference: a token, optionally ``=value`` (a token or a quoted string); its
#: parameters after ``;`` are ignored, as RFC 7240 allows for unknown ones.
_PREFERENCE = re.compile(r'\s*([!#$%&\'*+.^_`|~0-9A-Za-z-]+)\s*(?:=\s*("[^"]*"|[^\s;,]*))?')


def preferences(headers: Iterable[str]) -> dict[str, str]:
    """The preferences of every ``Prefer`` header, by lower-case name; the first of a
    name wins (RFC 7240 section 2). Malformed parts are ignored."""
    found: dict[str, str] = {}
    for header in headers:
        for part in header.split(","):
            match = _PREFERENCE.match(part.split(";", 1)[0])
            if match is None:
                continue
            name, value = match.group(1).lower(), (match.group(2) or "").strip('"')
            found.setdefault(name, value)
    return found


def preferred_wait(found: dict[str, str], longest: int) -> int | None:
    """Seconds of ``wait=N``, at most ``longest``; ``None`` when absent, not a whole
    number of seconds, or 0."""
    value = found.get("wait", "")
    if not value.isascii() or not value.isdigit():
        return None
    seconds = min(int(value[:6]), longest)  # a six-digit wait is already far past ``longest``
    return seconds or None
