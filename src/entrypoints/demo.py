"""The demo reports and data set loaded by ``reportgen demo seed``."""

from adapters.sqlalchemy.demo_data import load_demo_sales
from application.reports.create_report import CreateReportCommand
from domain.errors import ReportAlreadyExists
from domain.parameters import ParameterSpec, ParameterType
from domain.principal import Principal
from domain.reports import (
    DeliveryChannel,
    DeliveryMode,
    DeliveryTarget,
    OutputFormat,
    ReportConfiguration,
)
from entrypoints.container import Container

SALES_QUERY = """\
SELECT id, sale_date, region, product, quantity, unit_price, amount
FROM sales
WHERE (:start_date IS NULL OR sale_date >= :start_date)
  AND (:end_date IS NULL OR sale_date <= :end_date)
  AND (:region IS NULL OR region = :region)
ORDER BY sale_date, id"""

SALES_PARAMETERS = (
    ParameterSpec("start_date", ParameterType.DATE, description="First sale date, inclusive."),
    ParameterSpec("end_date", ParameterType.DATE, description="Last sale date, inclusive."),
    ParameterSpec("region", ParameterType.STRING, description="Only this region, e.g. North."),
)


def _sales_report(report_id: str, name: str, target: DeliveryTarget) -> ReportConfiguration:
    return ReportConfiguration(
        id=report_id,
        name=name,
        description="Every sale of the demo data set, filtered by date range and region.",
        data_source="demo",
        query=SALES_QUERY,
        formats=(OutputFormat.CSV, OutputFormat.JSON, OutputFormat.XLSX),
        delivery_targets=(target,),
        parameters=SALES_PARAMETERS,
        allowed_roles=frozenset({"analyst"}),
    )


DEMO_REPORTS = (
    _sales_report(
        "report-123",
        "Sales (asynchronous API)",
        DeliveryTarget(DeliveryChannel.API_RESPONSE, DeliveryMode.ASYNC),
    ),
    _sales_report(
        "report-456",
        "Sales (synchronous API)",
        DeliveryTarget(DeliveryChannel.API_RESPONSE, DeliveryMode.SYNC),
    ),
    _sales_report(
        "report-789",
        "Sales (email)",
        DeliveryTarget(DeliveryChannel.EMAIL, recipients=("sales-team@example.com",)),
    ),
)


async def seed_demo(container: Container, operator: Principal) -> tuple[int, int]:
    """Load the demo sales data set, then add the demo reports that are missing.

    The reports go through the same use case (and checks) as ``POST
    /api/v1/reports``, as ``operator``. Safe to run again: existing reports are
    left as they are. Returns the reports added and the sales rows.
    """
    rows = await load_demo_sales(container.settings().data_sources["demo"])
    added = 0
    for report in DEMO_REPORTS:
        try:
            await container.create_report().execute(CreateReportCommand(operator, report))
        except ReportAlreadyExists:
            continue
        added += 1
    return added, rows
