"""Declared report parameters: every type accepts its values and refuses the rest."""

import pytest

from domain.errors import InvalidReportRequest
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
