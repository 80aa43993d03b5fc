"""Declared report parameters: every type accepts its values and refuses the rest."""

import pytest

from domain.errors import InvalidParameterRange, InvalidReportRequest
from domain.parameters import MAX_STRING_LENGTH, ParameterSpec, ParameterType, resolve_parameters

T = ParameterType


@pytest.mark.parametrize(
    ("kind", "value", "normalized"),
    [
        (T.STRING, "North", "North"),
        (T.INTEGER, 7, 7),
        (T.NUMBER, 2.5, 2.5),
        (T.NUMBER, 3, 3),
        (T.BOOLEAN, False, False),
        (T.DATE, "2024-02-29", "2024-02-29"),
        (T.DATETIME, "2024-02-29T10:00:00+02:00", "2024-02-29T08:00:00Z"),
        (T.DATETIME, "2024-02-29T10:00:00Z", "2024-02-29T10:00:00Z"),
        (T.INTEGER, 2**63 - 1, 2**63 - 1),
        (T.INTEGER, -(2**63), -(2**63)),
    ],
)
def test_value_of_the_declared_type_is_accepted_in_canonical_form(
    kind: ParameterType, value: object, normalized: object
) -> None:
    assert resolve_parameters((ParameterSpec("p", kind),), {"p": value}) == {"p": normalized}


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (T.STRING, 5),
        (T.STRING, "x" * (MAX_STRING_LENGTH + 1)),
        (T.INTEGER, 1.5),
        (T.INTEGER, True),
        (T.INTEGER, "3"),
        (T.NUMBER, float("nan")),
        (T.NUMBER, False),
        (T.BOOLEAN, "true"),
        (T.BOOLEAN, 1),
        (T.DATE, "2023-02-29"),
        (T.DATE, "2024-W01"),
        (T.DATE, 20240101),
        (T.DATETIME, "2024-02-29T10:00:00"),
        (T.DATETIME, "yesterday"),
        (T.ENUM, ["a"]),
        (T.STRING, "North\x00"),
        (T.ENUM, "\x00"),
        (T.INTEGER, 2**63),
        (T.INTEGER, -(2**63) - 1),
        (T.NUMBER, 10**400),
        (T.NUMBER, float("inf")),
        (T.DATE, "0000-01-01"),
        (T.DATETIME, "9999-12-31T23:59:59-05:00"),
        (T.DATETIME, "0001-01-01T00:00:00+01:00"),
    ],
)
def test_value_of_another_type_is_rejected_naming_the_parameter(
    kind: ParameterType, value: object
) -> None:
    with pytest.raises(InvalidReportRequest, match="Parameter 'p' must be") as caught:
        resolve_parameters((ParameterSpec("p", kind),), {"p": value})
    assert caught.value.field == "parameters.p"


def test_enum_accepts_only_its_allowed_values() -> None:
    spec = ParameterSpec("region", T.ENUM, allowed_values=("North", "South"))
    assert resolve_parameters((spec,), {"region": "South"}) == {"region": "South"}
    with pytest.raises(InvalidReportRequest, match="one of: North, South"):
        resolve_parameters((spec,), {"region": "West"})


def test_missing_required_parameter_is_rejected() -> None:
    with pytest.raises(InvalidReportRequest, match="'year' is required"):
        resolve_parameters((ParameterSpec("year", T.INTEGER, required=True),), {})


def test_defaults_fill_missing_values_and_optional_ones_are_left_out() -> None:
    specs = (ParameterSpec("limit", T.INTEGER, default=10), ParameterSpec("region", T.STRING))
    assert resolve_parameters(specs, {}) == {"limit": 10}
    assert resolve_parameters(specs, {"region": None}) == {"limit": 10}


def test_unknown_parameter_is_rejected() -> None:
    with pytest.raises(InvalidReportRequest, match="Unknown parameter 'country'"):
        resolve_parameters((ParameterSpec("region", T.STRING),), {"country": "FR"})


RANGES = [
    ("start_date", "end_date", T.DATE, "2025-02-01", "2025-01-31"),
    ("from_day", "to_day", T.DATE, "2025-01-02", "2025-01-01"),
    ("period_start", "period_end", T.DATETIME, "2025-01-01T10:00:00.5Z", "2025-01-01T10:00:00Z"),
    ("start", "end", T.DATETIME, "2025-01-01T10:00:00+00:00", "2025-01-01T11:00:00+02:00"),
]


@pytest.mark.parametrize(("first", "last", "kind", "start", "end"), RANGES)
def test_a_range_that_starts_after_it_ends_is_refused_naming_both_parameters(
    first: str, last: str, kind: ParameterType, start: str, end: str
) -> None:
    specs = (ParameterSpec(first, kind), ParameterSpec(last, kind))
    with pytest.raises(InvalidParameterRange, match=f"'{first}' .* after '{last}'") as caught:
        resolve_parameters(specs, {first: start, last: end})
    assert (caught.value.first, caught.value.last) == (first, last)
    assert resolve_parameters(specs, {first: end, last: start})
    assert resolve_parameters(specs, {first: start, last: start})
    assert list(resolve_parameters(specs, {first: start})) == [first]


def test_a_range_that_a_default_closes_is_checked_too() -> None:
    specs = (
        ParameterSpec("start_date", T.DATE),
        ParameterSpec("end_date", T.DATE, default="2025-01-01"),
    )
    with pytest.raises(InvalidParameterRange):
        resolve_parameters(specs, {"start_date": "2025-06-01"})


@pytest.mark.parametrize(
    "specs",
    [
        (ParameterSpec("start_date", T.DATE), ParameterSpec("end_date", T.DATETIME)),
        (ParameterSpec("start_date", T.DATE), ParameterSpec("finish_date", T.DATE)),
        (ParameterSpec("start_date", T.STRING), ParameterSpec("end_date", T.STRING)),
        (ParameterSpec("restart_date", T.DATE), ParameterSpec("reend_date", T.DATE)),
    ],
    ids=["types-differ", "no-partner", "not-dates", "word-inside-a-word"],
)
def test_parameters_that_are_no_declared_range_are_not_compared(
    specs: tuple[ParameterSpec, ...],
) -> None:
    names = [spec.name for spec in specs]
    values = (
        ["2025-02-01", "2025-01-01"]
        if specs[1].type is not T.DATETIME
        else ["2025-02-01", "2025-01-01T00:00:00Z"]
    )
    assert resolve_parameters(specs, dict(zip(names, values, strict=True)))
