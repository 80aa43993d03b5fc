"""A report configuration sent by a client, turned into the domain's; errors name the field
(in the domain's terms, as every ``InvalidReportConfiguration`` does)."""

from typing import TypeVar

import msgspec

from domain.errors import InvalidReportConfiguration
from domain.parameters import JsonScalar, ParameterSpec, ParameterType
from domain.report_limits import ReportLimits
from domain.reports import (
    DeliveryChannel,
    DeliveryMode,
    DeliveryTarget,
    OutputFormat,
    ReportConfiguration,
)
from entrypoints.http.report_bodies import DeliveryTargetBody, LimitsBody, ParameterBody


class ReportInput(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """What ``POST``/``PUT`` accept: the document ``GET`` returns (server fields ignored)."""

    id: str
    name: str
    data_source: str
    query: str
    formats: list[str]
    delivery_targets: list[DeliveryTargetBody]
    description: str = ""
    parameters: list[ParameterBody] = msgspec.field(default_factory=list)
    allowed_roles: list[str] = msgspec.field(default_factory=list)
    limits: LimitsBody | None = None
    version: int | None = None
    created_at: str | None = None
    updated_at: str | None = None


def to_report(body: ReportInput) -> ReportConfiguration:
    """The domain's configuration; ``InvalidReportConfiguration`` for an unknown name."""
    return ReportConfiguration(
        id=body.id,
        name=body.name,
        description=body.description,
        data_source=body.data_source,
        query=body.query,
        formats=tuple(_enum(OutputFormat, f, f"formats[{i}]") for i, f in enumerate(body.formats)),
        delivery_targets=tuple(_target(t, i) for i, t in enumerate(body.delivery_targets)),
        parameters=tuple(_parameter(p, i) for i, p in enumerate(body.parameters)),
        allowed_roles=frozenset(body.allowed_roles),
        limits=_limits(body.limits),
    )


def _limits(body: LimitsBody | None) -> ReportLimits:
    if body is None:
        return ReportLimits()
    return ReportLimits(body.timeout_seconds, body.max_rows, body.max_bytes)


def _target(body: DeliveryTargetBody, index: int) -> DeliveryTarget:
    field = f"delivery_targets[{index}]"
    return DeliveryTarget(
        channel=_enum(DeliveryChannel, body.type, f"{field}.type"),
        mode=None if body.mode is None else _enum(DeliveryMode, body.mode, f"{field}.mode"),
        recipients=tuple(body.recipients or ()),
    )


def _parameter(body: ParameterBody, index: int) -> ParameterSpec:
    default: JsonScalar = body.default
    return ParameterSpec(
        name=body.name,
        type=_enum(ParameterType, body.type, f"parameters[{index}].type"),
        required=body.required,
        default=default,
        allowed_values=tuple(body.allowed_values),
        description=body.description,
    )


E = TypeVar("E", OutputFormat, DeliveryChannel, DeliveryMode, ParameterType)


def _enum(kind: type[E], value: str, field: str) -> E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise InvalidReportConfiguration(
            f"'{value[:40]}' is not one of: {allowed}.", field=field
        ) from None
