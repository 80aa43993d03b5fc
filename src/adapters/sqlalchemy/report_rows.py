"""Report configurations to and from table rows and JSON documents, shared by the adapters."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import RowMapping

from domain.parameters import ParameterSpec, ParameterType
from domain.report_limits import ReportLimits
from domain.reports import (
    DeliveryChannel,
    DeliveryMode,
    DeliveryTarget,
    OutputFormat,
    ReportConfiguration,
)


def report_to_row(report: ReportConfiguration) -> dict[str, Any]:
    """The ``ReportConfiguration`` columns of ``report``; unset times are left out."""
    row: dict[str, Any] = {
        "report_id": report.id,
        "name": report.name,
        "description": report.description,
        "data_source": report.data_source,
        "query_text": report.query,
        "parameters": [_parameter_to_json(spec) for spec in report.parameters],
        "formats": [fmt.value for fmt in report.formats],
        "delivery_targets": [_target_to_json(target) for target in report.delivery_targets],
        "allowed_roles": sorted(report.allowed_roles),
        "limits": _limits_to_json(report.limits),
        "version": report.version,
    }
    if report.created_at is not None:
        row["created_at"] = report.created_at
    if report.updated_at is not None:
        row["updated_at"] = report.updated_at
    return row


def report_from_row(row: RowMapping) -> ReportConfiguration:
    """The report a ``ReportConfiguration`` row holds."""
    return ReportConfiguration(
        id=row["report_id"],
        name=row["name"],
        description=row["description"],
        data_source=row["data_source"],
        query=row["query_text"],
        parameters=tuple(_parameter_from_json(item) for item in row["parameters"]),
        formats=tuple(OutputFormat(fmt) for fmt in row["formats"]),
        delivery_targets=tuple(_target_from_json(item) for item in row["delivery_targets"]),
        allowed_roles=frozenset(row["allowed_roles"]),
        limits=_limits_from_json(row["limits"]),
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def report_to_document(report: ReportConfiguration) -> dict[str, Any]:
    """Every field of ``report`` as JSON values; times as ISO 8601 strings in UTC."""
    row = report_to_row(report)
    return {
        "id": report.id,
        "name": report.name,
        "description": report.description,
        "data_source": report.data_source,
        "query": report.query,
        "parameters": row["parameters"],
        "formats": row["formats"],
        "delivery_targets": row["delivery_targets"],
        "allowed_roles": row["allowed_roles"],
        "limits": row["limits"],
        "version": report.version,
        "created_at": _time_to_json(report.created_at),
        "updated_at": _time_to_json(report.updated_at),
    }


def report_from_document(document: dict[str, Any]) -> ReportConfiguration:
    """The report ``report_to_document`` wrote; times come back timezone-aware UTC."""
    return ReportConfiguration(
        id=document["id"],
        name=document["name"],
        description=document.get("description", ""),
        data_source=document["data_source"],
        query=document["query"],
        parameters=tuple(_parameter_from_json(item) for item in document["parameters"]),
        formats=tuple(OutputFormat(fmt) for fmt in document["formats"]),
        delivery_targets=tuple(_target_from_json(item) for item in document["delivery_targets"]),
        allowed_roles=frozenset(document.get("allowed_roles", ())),
        limits=_limits_from_json(document.get("limits")),
        version=document["version"],
        created_at=_time_from_json(document.get("created_at")),
        updated_at=_time_from_json(document.get("updated_at")),
    )


def _limits_to_json(limits: ReportLimits) -> dict[str, Any] | None:
    values = {
        "timeout_seconds": limits.timeout_seconds,
        "max_rows": limits.max_rows,
        "max_bytes": limits.max_bytes,
    }
    kept = {name: value for name, value in values.items() if value is not None}
    return kept or None


def _limits_from_json(item: dict[str, Any] | None) -> ReportLimits:
    return ReportLimits(**item) if item else ReportLimits()


def _time_to_json(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _time_from_json(text: str | None) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _parameter_to_json(spec: ParameterSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "type": spec.type.value,
        "required": spec.required,
        "default": spec.default,
        "allowedValues": list(spec.allowed_values),
        "description": spec.description,
    }


def _parameter_from_json(item: dict[str, Any]) -> ParameterSpec:
    return ParameterSpec(
        name=item["name"],
        type=ParameterType(item["type"]),
        required=item.get("required", False),
        default=item.get("default"),
        allowed_values=tuple(item.get("allowedValues", ())),
        description=item.get("description", ""),
    )


def _target_to_json(target: DeliveryTarget) -> dict[str, Any]:
    return {
        "channel": target.channel.value,
        "mode": None if target.mode is None else target.mode.value,
        "recipients": list(target.recipients),
    }


def _target_from_json(item: dict[str, Any]) -> DeliveryTarget:
    mode = item.get("mode")
    return DeliveryTarget(
        channel=DeliveryChannel(item["channel"]),
        mode=None if mode is None else DeliveryMode(mode),
        recipients=tuple(item.get("recipients", ())),
    )
