"""What every saved report configuration must pass: the rules, and its data source."""

from application.common.errors import ReportQueryFailed, UnknownDataSource, UnsafeDataSource
from application.reports.ports import ReportQueries
from domain.errors import InvalidReportConfiguration
from domain.report_rules import validate_report
from domain.reports import ReportConfiguration


async def check_report(queries: ReportQueries, report: ReportConfiguration) -> None:
    """The configuration follows the rules, and its data source accepts its query.

    The query is checked against the data source now, so a broken query is
    refused when it is saved rather than when a job runs it. An undeclared data
    source, or one whose login may do more than read (``UnsafeDataSource``), is the
    fault of ``data_source``; a refused query, of ``query``.
    """
    validate_report(report)
    try:
        await queries.check(report.data_source, report.query, report.parameters)
    except (UnknownDataSource, UnsafeDataSource) as exc:
        raise InvalidReportConfiguration(exc.message, field="data_source") from exc
    except ReportQueryFailed as exc:  # an administrator may read the database's own words
        reason = f"{exc.message} {exc.detail}".strip()
        raise InvalidReportConfiguration(reason, field="query") from exc
