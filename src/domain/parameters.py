"""Declared report parameters and the check of supplied values against them."""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from domain.errors import InvalidParameterRange, InvalidReportRequest

MAX_STRING_LENGTH = 1_000
#: Integers are 64-bit signed, what every database the reports query can bind.
MIN_INTEGER, MAX_INTEGER = -(2**63), 2**63 - 1

JsonScalar = str | int | float | bool | None


class ParameterType(StrEnum):
    """The types a report parameter can declare."""

    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    ENUM = "enum"


@dataclass(frozen=True, slots=True)
class ParameterSpec:
    """One parameter a report's query takes: its name, type, whether required, default."""

    name: str
    type: ParameterType
    required: bool = False
    default: JsonScalar = None
    allowed_values: tuple[str, ...] = ()
    description: str = ""

    def normalize(self, value: object) -> JsonScalar:
        """Return ``value`` in its canonical JSON form, or raise if it does not fit."""
        checker = _CHECKERS[self.type]
        try:
            normalized = checker(value)
        except (TypeError, ValueError, OverflowError) as exc:
            raise InvalidReportRequest(
                f"Parameter '{self.name}' must be {_DESCRIPTIONS[self.type]}.",
                field=f"parameters.{self.name}",
            ) from exc
        if self.allowed_values and normalized not in self.allowed_values:
            allowed = ", ".join(self.allowed_values)
            raise InvalidReportRequest(
                f"Parameter '{self.name}' must be one of: {allowed}.",
                field=f"parameters.{self.name}",
            )
        return normalized


def resolve_parameters(
    specs: tuple[ParameterSpec, ...], supplied: Mapping[str, object]
) -> dict[str, JsonScalar]:
    """Check ``supplied`` against ``specs``; fill defaults; reject unknown names.

    Returns the values to store with the job, each in canonical JSON form.
    """
    known = {spec.name for spec in specs}
    unknown = sorted(name for name in supplied if name not in known)
    if unknown:
        raise InvalidReportRequest(
            f"Unknown parameter '{unknown[0]}'.", field=f"parameters.{unknown[0]}"
        )
    resolved: dict[str, JsonScalar] = {}
    for spec in specs:
        value = supplied.get(spec.name, spec.default)
        if value is None:
            if spec.required:
                raise InvalidReportRequest(
                    f"Parameter '{spec.name}' is required.", field=f"parameters.{spec.name}"
                )
            continue
        resolved[spec.name] = spec.normalize(value)
    _check_ranges(specs, resolved)
    return resolved


#: Words of a parameter name that open a range, and the words that close it.
_RANGE_WORDS = {"start": "end", "from": "to"}
_TIME_TYPES = (ParameterType.DATE, ParameterType.DATETIME)


def range_pairs(specs: tuple[ParameterSpec, ...]) -> list[tuple[str, str]]:
    """The date ranges ``specs`` declare: ``(start_date, end_date)``, ``(from_day, to_day)``,
    ``(period_start, period_end)``: two date (or two date-time) parameters whose names
    differ only by one word, ``start`` for ``end`` or ``from`` for ``to``."""
    types = {spec.name: spec.type for spec in specs if spec.type in _TIME_TYPES}
    pairs = []
    for name, kind in types.items():
        words = name.split("_")
        for index, word in enumerate(words):
            if word in _RANGE_WORDS:
                partner = "_".join([*words[:index], _RANGE_WORDS[word], *words[index + 1 :]])
                if types.get(partner) is kind:
                    pairs.append((name, partner))
    return pairs


def _check_ranges(specs: tuple[ParameterSpec, ...], resolved: Mapping[str, JsonScalar]) -> None:
    for first, last in range_pairs(specs):
        start, end = resolved.get(first), resolved.get(last)
        if isinstance(start, str) and isinstance(end, str) and _moment(start) > _moment(end):
            raise InvalidParameterRange(
                f"Parameter '{first}' ({start}) is after '{last}' ({end}).", first, last
            )


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _string(value: object) -> str:
    if not isinstance(value, str) or len(value) > MAX_STRING_LENGTH or "\x00" in value:
        raise TypeError(value)
    return value


def _integer(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(value)
    if not MIN_INTEGER <= value <= MAX_INTEGER:
        raise ValueError(value)
    return value


def _number(value: object) -> float | int:
    if isinstance(value, int):
        return _integer(value)
    if not isinstance(value, float) or not math.isfinite(value):
        raise TypeError(value)
    return value


def _boolean(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(value)
    return value


def _date(value: object) -> str:
    text = _string(value)
    if len(text) != 10:
        raise ValueError(text)
    return date.fromisoformat(text).isoformat()


def _datetime(value: object) -> str:
    moment = datetime.fromisoformat(_string(value))
    if moment.tzinfo is None:
        raise ValueError("a time zone is required")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


_CHECKERS: dict[ParameterType, Callable[[object], JsonScalar]] = {
    ParameterType.STRING: _string,
    ParameterType.INTEGER: _integer,
    ParameterType.NUMBER: _number,
    ParameterType.BOOLEAN: _boolean,
    ParameterType.DATE: _date,
    ParameterType.DATETIME: _datetime,
    ParameterType.ENUM: _string,
}

_DESCRIPTIONS = {
    ParameterType.STRING: f"a string of at most {MAX_STRING_LENGTH} characters, without NUL",
    ParameterType.INTEGER: "a 64-bit integer",
    ParameterType.NUMBER: "a finite number (an integer within 64 bits)",
    ParameterType.BOOLEAN: "true or false",
    ParameterType.DATE: "an ISO 8601 date (YYYY-MM-DD)",
    ParameterType.DATETIME: "an ISO 8601 date-time with a time zone",
    ParameterType.ENUM: "a string without NUL",
}
