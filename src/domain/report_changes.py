"""The audit trail of report configurations: who created, changed or deleted one, and when."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.reports import ReportConfiguration


class ChangeAction(StrEnum):
    """What a change did to a report configuration."""

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class ReportChange:
    """One entry of a report's audit trail; it outlives the report itself."""

    report_id: str
    action: ChangeAction
    actor: str
    at: datetime
    version: int
    report: ReportConfiguration | None  # the configuration as saved; None once deleted

    @classmethod
    def created(cls, report: ReportConfiguration, actor: str, at: datetime) -> "ReportChange":
        """``actor`` created ``report`` (as saved, at its first version)."""
        return cls(report.id, ChangeAction.CREATED, actor, at, report.version, report)

    @classmethod
    def updated(cls, report: ReportConfiguration, actor: str, at: datetime) -> "ReportChange":
        """``actor`` saved ``report`` at a new version."""
        return cls(report.id, ChangeAction.UPDATED, actor, at, report.version, report)

    @classmethod
    def deleted(cls, report: ReportConfiguration, actor: str, at: datetime) -> "ReportChange":
        """``actor`` deleted ``report``, last at its current version."""
        return cls(report.id, ChangeAction.DELETED, actor, at, report.version, None)
