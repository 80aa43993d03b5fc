"""Report configurations as the API shows them; administrators see how they are built."""

import msgspec

from domain.parameters import JsonScalar, ParameterSpec
from domain.report_limits import ReportLimits
from domain.reports import DeliveryTarget, ReportConfiguration
from entrypoints.http.job_bodies import rfc3339


class ParameterBody(msgspec.Struct, rename="camel", omit_defaults=True, forbid_unknown_fields=True):
    """A parameter the report takes."""

    name: str
    type: str
    required: bool = False
    default: JsonScalar = None
    allowed_values: list[str] = msgspec.field(default_factory=list)
    description: str = ""


class DeliveryTargetBody(
    msgspec.Struct, rename="camel", omit_defaults=True, forbid_unknown_fields=True
):
    """Where the report goes: ``api_response`` (``mode`` async or sync) or ``email``."""

    type: str
    mode: str | None = None
    recipients: list[str] | None = None


class LimitsBody(msgspec.Struct, rename="camel", omit_defaults=True, forbid_unknown_fields=True):
    """A report's own limits; each one left out is the operator's (and none goes above it)."""

    timeout_seconds: float | None = None
    max_rows: int | None = None
    max_bytes: int | None = None


class ReportBody(msgspec.Struct, rename="camel", omit_defaults=True):
    """A report configuration; ``dataSource``, ``query`` and recipients for admins only."""

    id: str
    name: str
    description: str
    parameters: list[ParameterBody]
    formats: list[str]
    delivery_targets: list[DeliveryTargetBody]
    allowed_roles: list[str]
    version: int
    created_at: str | None = None
    updated_at: str | None = None
    data_source: str | None = None
    query: str | None = None
    limits: LimitsBody | None = None


class ReportPageBody(msgspec.Struct):
    """A page of reports by id; ``next`` is the URL of the next page, if any."""

    reports: list[ReportBody]
    next: str | None


def report_body(report: ReportConfiguration, *, full: bool) -> ReportBody:
    """The JSON body of ``report``; ``full`` (for administrators) adds how it is built."""
    admin = full
    return ReportBody(
        id=report.id,
        name=report.name,
        description=report.description,
        parameters=[_parameter(spec) for spec in report.parameters],
        formats=[fmt.value for fmt in report.formats],
        delivery_targets=[_target(target, admin) for target in report.delivery_targets],
        allowed_roles=sorted(report.allowed_roles),
        version=report.version,
        created_at=rfc3339(report.created_at),
        updated_at=rfc3339(report.updated_at),
        data_source=report.data_source if admin else None,
        query=report.query if admin else None,
        limits=_limits(report.limits) if admin else None,
    )


def _limits(limits: ReportLimits) -> LimitsBody | None:
    if limits == ReportLimits():
        return None
    return LimitsBody(limits.timeout_seconds, limits.max_rows, limits.max_bytes)


def _parameter(spec: ParameterSpec) -> ParameterBody:
    return ParameterBody(
        name=spec.name,
        type=spec.type.value,
        required=spec.required,
        default=spec.default,
        allowed_values=list(spec.allowed_values),
        description=spec.description,
    )


def _target(target: DeliveryTarget, admin: bool) -> DeliveryTargetBody:
    recipients = list(target.recipients) if admin and target.recipients else None
    mode = target.mode.value if target.mode else None
    return DeliveryTargetBody(type=target.channel.value, mode=mode, recipients=recipients)
