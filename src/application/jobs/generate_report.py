"""Start an asynchronous report generation: the use case behind ``POST .../generate``."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from application.common.ports import Clock
from application.jobs.intake import JobIntake
from application.reports.ports import ReportCatalog
from domain.errors import ReportNotFound
from domain.jobs import Job
from domain.principal import Principal


@dataclass(frozen=True, slots=True)
class GenerateReportCommand:
    """A caller's request to generate ``report_id``."""

    principal: Principal
    report_id: str
    parameters: Mapping[str, object] = field(default_factory=dict)
    format: str | None = None


@dataclass(frozen=True, slots=True)
class JobAccepted:
    """The answer: the new job's id and when it was queued."""

    job_id: str
    created_at: datetime


class GenerateReportUseCase:
    """Create a ``Queued`` job for a report and hand it to the scheduler.

    Business rules, in the order they are checked:
    - The caller may generate reports: the ``reports:generate`` scope
      (``PermissionDenied``).
    - The report exists (``ReportNotFound``).
    - The caller holds one of the report's ``allowed_roles``, if it has any
      (``PermissionDenied``).
    - BR-001: the report has an API Response delivery target in asynchronous
      mode (``ReportNotAsynchronous``), checked before any job is created.
    - The parameters and format fit the report (``InvalidReportRequest``).
    - BR-002: the job id is a random UUID (``Job.queue``).
    - All or nothing (AC-006): the job is answered only once its row is
      committed and queued; if either fails, no job runs and the caller gets
      ``ServiceUnavailable`` (``JobIntake``, which commits many requests' jobs
      at once).
    The report is read from the in-memory catalog, which sees a change made in
    this process at once and one made elsewhere within a second.
    """

    def __init__(self, *, reports: ReportCatalog, intake: JobIntake, clock: Clock) -> None:
        self._reports = reports
        self._intake = intake
        self._clock = clock

    async def execute(self, command: GenerateReportCommand) -> JobAccepted:
        """Run the rules above; return the accepted job or raise the broken rule."""
        principal = command.principal
        principal.ensure_may_generate()
        report = await self._reports.get(command.report_id)
        if report is None:
            raise ReportNotFound(command.report_id)
        report.ensure_roles_allow(principal)
        report.ensure_supports_async_generation()
        request = report.prepare_request(command.parameters, command.format)
        job = Job.queue(
            report_id=report.id,
            requested_by=principal.subject,
            request=request,
            now=self._clock.now(),
        )
        await self._intake.submit(job)
        return JobAccepted(job_id=job.id, created_at=job.created_at)
