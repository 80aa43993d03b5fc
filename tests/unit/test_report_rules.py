"""The rules a report configuration follows before it is saved."""

from dataclasses import replace

import pytest

from domain.errors import InvalidReportConfiguration
from domain.parameters import ParameterSpec, ParameterType
from domain.report_rules import validate_report
from domain.reports import DeliveryChannel, DeliveryMode, DeliveryTarget, OutputFormat
from tests.builders import ASYNC_API, EMAIL, report

GOOD = report("sales-2025")


def test_a_well_formed_report_passes() -> None:
    validate_report(GOOD)
    validate_report(replace(GOOD, id="a"))
    validate_report(replace(GOOD, id="a" * 64, delivery_targets=(ASYNC_API, EMAIL)))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id": "Sales"}, "id"),
        ({"id": "-sales"}, "id"),
        ({"id": "a" * 65}, "id"),
        ({"id": "sales_2025"}, "id"),
        ({"id": "evil\n"}, "id"),
        ({"name": "Sales\x00"}, "name"),
        ({"description": "\x00"}, "description"),
        ({"query": "SELECT 1\x00"}, "query"),
        ({"allowed_roles": frozenset({"analyst\x00"})}, "allowed_roles"),
        ({"name": " "}, "name"),
        ({"data_source": ""}, "data_source"),
        ({"query": "  "}, "query"),
        ({"formats": ()}, "formats"),
        ({"formats": (OutputFormat.CSV, OutputFormat.CSV)}, "formats"),
        ({"delivery_targets": ()}, "delivery_targets"),
        (
            {"delivery_targets": (DeliveryTarget(DeliveryChannel.API_RESPONSE),)},
            "delivery_targets[0].mode",
        ),
        (
            {"delivery_targets": (DeliveryTarget(DeliveryChannel.EMAIL),)},
            "delivery_targets[0].recipients",
        ),
        (
            {
                "delivery_targets": (
                    ASYNC_API,
                    DeliveryTarget(DeliveryChannel.EMAIL, recipients=("x",)),
                )
            },
            "delivery_targets[1].recipients",
        ),
        (
            {
                "delivery_targets": (
                    DeliveryTarget(DeliveryChannel.API_RESPONSE, DeliveryMode.SYNC, ("a@b.c",)),
                )
            },
            "delivery_targets[0].recipients",
        ),
        ({"parameters": (ParameterSpec("Bad-Name", ParameterType.STRING),)}, "parameters[0].name"),
        ({"parameters": (ParameterSpec("region\n", ParameterType.STRING),)}, "parameters[0].name"),
        (
            {"parameters": (ParameterSpec("r", ParameterType.STRING, description="\x00"),)},
            "parameters[0].description",
        ),
        (
            {"parameters": (ParameterSpec("r", ParameterType.ENUM, allowed_values=("\x00",)),)},
            "parameters[0].allowed_values",
        ),
        (
            {"delivery_targets": (DeliveryTarget(DeliveryChannel.EMAIL, recipients=("a@b.c\n",)),)},
            "delivery_targets[0].recipients",
        ),
        (
            {
                "delivery_targets": (
                    DeliveryTarget(DeliveryChannel.EMAIL, recipients=("a\x00@b.c",)),
                )
            },
            "delivery_targets[0].recipients",
        ),
        (
            {
                "parameters": (
                    ParameterSpec("a", ParameterType.STRING),
                    ParameterSpec("a", ParameterType.DATE),
                )
            },
            "parameters[1].name",
        ),
        (
            {"parameters": (ParameterSpec("kind", ParameterType.ENUM),)},
            "parameters[0].allowed_values",
        ),
        (
            {"parameters": (ParameterSpec("n", ParameterType.INTEGER, default="ten"),)},
            "parameters[0].default",
        ),
    ],
)
def test_a_broken_rule_is_refused_naming_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidReportConfiguration) as caught:
        validate_report(replace(GOOD, **changes))  # type: ignore[arg-type]
    assert caught.value.field == field
