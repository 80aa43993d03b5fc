"""What every change to a report configuration checks first."""

from application.authentication import authenticate
from application.errors import ReportQueryFailed
from application.ports import TokenVerifier
from application.report_ports import ReportQueries
from domain.errors import InvalidReportConfiguration
from domain.principal import ADMIN_SCOPE, Principal
from domain.report_rules import validate_report
from domain.reports import ReportConfiguration


def authenticate_admin(verifier: TokenVerifier, token: str | None) -> Principal:
    """A caller holding ``reports:admin``: ``AuthenticationFailed`` or ``PermissionDenied``."""
    principal = authenticate(verifier, token)
    principal.require_scope(ADMIN_SCOPE)
    return principal


async def check_report(queries: ReportQueries, report: ReportConfiguration) -> None:
    """The configuration follows the rules, and its data source accepts its query.

    The query is checked against the data source now, so a broken query is
    refused when it is saved rather than when a job runs it.
    """
    validate_report(report)
    try:
        await queries.check(report.data_source, report.query, report.parameters)
    except ReportQueryFailed as exc:
        field = "dataSource" if "not configured" in exc.message else "query"
        raise InvalidReportConfiguration(exc.message, field=field) from exc
