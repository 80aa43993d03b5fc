"""Small builders of domain objects for tests."""

from datetime import UTC, datetime

from domain.jobs import Job
from domain.parameters import ParameterSpec, ParameterType
from domain.principal import GENERATE_SCOPE, Principal
from domain.reports import (
    DeliveryChannel,
    DeliveryMode,
    DeliveryTarget,
    OutputFormat,
    ReportConfiguration,
    ReportRequest,
)

ASYNC_API = DeliveryTarget(DeliveryChannel.API_RESPONSE, DeliveryMode.ASYNC)
SYNC_API = DeliveryTarget(DeliveryChannel.API_RESPONSE, DeliveryMode.SYNC)
EMAIL = DeliveryTarget(DeliveryChannel.EMAIL, recipients=("finance@example.com",))


def report(
    report_id: str = "report-123",
    *,
    targets: tuple[DeliveryTarget, ...] = (ASYNC_API,),
    roles: frozenset[str] = frozenset({"analyst"}),
) -> ReportConfiguration:
    """A sales report like the demo one, with the given delivery targets and roles."""
    return ReportConfiguration(
        id=report_id,
        name="Sales by region",
        data_source="demo",
        query="SELECT * FROM sales WHERE region = :region",
        formats=(OutputFormat.CSV, OutputFormat.JSON, OutputFormat.XLSX),
        delivery_targets=targets,
        parameters=(
            ParameterSpec("start_date", ParameterType.DATE),
            ParameterSpec("end_date", ParameterType.DATE),
            ParameterSpec("region", ParameterType.STRING),
            ParameterSpec("limit", ParameterType.INTEGER, default=100),
        ),
        allowed_roles=roles,
    )


def analyst(subject: str = "alice") -> Principal:
    """A caller who may generate analyst reports."""
    return Principal(subject, roles=frozenset({"analyst"}), scopes=frozenset({GENERATE_SCOPE}))


def queued_job(now: datetime | None = None, *, requested_by: str = "alice") -> Job:
    """A new ``Queued`` csv job of ``report-123``."""
    request = ReportRequest(parameters={}, format=OutputFormat.CSV)
    return Job.queue(
        report_id="report-123",
        requested_by=requested_by,
        request=request,
        now=now or datetime.now(UTC),
    )
