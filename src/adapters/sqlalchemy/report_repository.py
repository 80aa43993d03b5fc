"""Report configurations in the ``ReportConfiguration`` table."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sqlalchemy.engine import storage_errors
from adapters.sqlalchemy.tables import report_configuration
from adapters.sqlalchemy.write_gate import BeforeWrite, no_gate
from domain.parameters import ParameterSpec, ParameterType
from domain.reports import (
    DeliveryChannel,
    DeliveryMode,
    DeliveryTarget,
    OutputFormat,
    ReportConfiguration,
)


class SqlAlchemyReportRepository:
    """The ``ReportRepository`` port on one session; the unit of work owns the transaction."""

    def __init__(self, session: AsyncSession, before_write: BeforeWrite = no_gate) -> None:
        self._session = session
        self._before_write = before_write

    async def get(self, report_id: str) -> ReportConfiguration | None:
        """The report with that id, or ``None``."""
        query = sa.select(report_configuration).where(report_configuration.c.report_id == report_id)
        with storage_errors("reading a report"):
            row = (await self._session.execute(query)).mappings().one_or_none()
        return None if row is None else _to_report(row)

    async def all(self) -> list[ReportConfiguration]:
        """Every report configuration, by id."""
        query = sa.select(report_configuration).order_by(report_configuration.c.report_id)
        with storage_errors("reading the reports"):
            rows = (await self._session.execute(query)).mappings().all()
        return [_to_report(row) for row in rows]

    async def add(self, report: ReportConfiguration) -> None:
        """Insert a new report configuration inside the open transaction."""
        values = _to_row(report)
        await self._before_write()
        with storage_errors("saving a report"):
            await self._session.execute(sa.insert(report_configuration).values(values))


def _to_row(report: ReportConfiguration) -> dict[str, Any]:
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
        "version": report.version,
    }
    # Unset times are left to the database's CURRENT_TIMESTAMP.
    if report.created_at is not None:
        row["created_at"] = report.created_at
    if report.updated_at is not None:
        row["updated_at"] = report.updated_at
    return row


def _to_report(row: RowMapping) -> ReportConfiguration:
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
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


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
