"""A report is changed from the version its caller read, never over someone else's change."""

from typing import Final, Literal

from application.common.ports import UnitOfWork
from domain.errors import ReportNotFound, StaleReportVersion, VersionRequired
from domain.reports import ReportConfiguration

#: The caller changes the report whatever its version, as long as it exists (``If-Match: *``).
ANY_VERSION: Final = "*"
ExpectedVersion = int | Literal["*"]


def version_read(expected_version: ExpectedVersion | None) -> ExpectedVersion:
    """The version the caller read (or ``ANY_VERSION``); ``VersionRequired`` when it did
    not say."""
    if expected_version is None:
        raise VersionRequired()
    return expected_version


async def report_at_version(
    uow: UnitOfWork, report_id: str, version: ExpectedVersion
) -> ReportConfiguration:
    """The stored report, if it is still at ``version`` (any, for ``ANY_VERSION``);
    ``ReportNotFound`` or ``StaleReportVersion`` (naming the current version) otherwise."""
    current = await uow.reports.get(report_id)
    if current is None:
        raise ReportNotFound(report_id)
    if version != ANY_VERSION and current.version != version:
        raise StaleReportVersion(current.version)
    return current
