"""How far one run of a report may go: its query's time, its rows, its file's bytes."""

from dataclasses import dataclass
from typing import TypeVar

_N = TypeVar("_N", int, float)

#: The largest value a report's own limit may name (beyond any sensible ceiling).
LIMIT_VALUE_CEILING = 10**15


@dataclass(frozen=True, slots=True)
class ReportLimits:
    """Limits of one report run; ``None`` leaves a limit to the operator's ceiling.

    ``timeout_seconds`` bounds the report's query (each fetch of a batch of rows),
    ``max_rows`` the rows of the file and ``max_bytes`` its size.
    """

    timeout_seconds: float | None = None
    max_rows: int | None = None
    max_bytes: int | None = None

    def within(self, ceiling: "ReportLimits") -> "ReportLimits":
        """These limits, each lowered to ``ceiling``'s where that is lower (or where unset)."""
        return ReportLimits(
            timeout_seconds=_lower(self.timeout_seconds, ceiling.timeout_seconds),
            max_rows=_lower(self.max_rows, ceiling.max_rows),
            max_bytes=_lower(self.max_bytes, ceiling.max_bytes),
        )

    def problems(self) -> list[tuple[str, str]]:
        """Each limit set to something other than a positive number: (its name, why)."""
        found: list[tuple[str, str]] = []
        for name, value in (
            ("timeout_seconds", self.timeout_seconds),
            ("max_rows", self.max_rows),
            ("max_bytes", self.max_bytes),
        ):
            if value is not None and not 0 < value <= LIMIT_VALUE_CEILING:
                found.append((name, f"must be more than 0 and at most {LIMIT_VALUE_CEILING}."))
        return found


def _lower(own: _N | None, ceiling: _N | None) -> _N | None:
    if own is None:
        return ceiling
    if ceiling is None:
        return own
    return min(own, ceiling)
