"""A report is changed from the version its caller read, never over someone else's change."""

from application.common.ports import UnitOfWork
from domain.errors import ReportNotFound, StaleReportVersion, VersionRequired
from domain.reports import ReportConfiguration


def version_read(expected_version: int | None) -> int:
    """The version the caller read; ``VersionRequired`` when it did not say."""
    if expected_version is None:
        raise VersionRequired()
    return expected_version


async def report_at_version(uow: UnitOfWork, report_id: str, version: int) -> ReportConfiguration:
    """The stored report, if it is still at ``version``; ``ReportNotFound`` or
    ``StaleReportVersion`` (naming the current version) otherwise."""
    current = await uow.reports.get(report_id)
    if current is None:
        raise ReportNotFound(report_id)
    if current.version != version:
        raise StaleReportVersion(current.version)
    return current
