"""Start an asynchronous report generation: the use case behind ``POST .../generate``."""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from application.common.ports import Clock
from application.jobs.admission import IdempotencyKey, JobAccepted, request_fingerprint
from application.jobs.intake import JobIntake
from application.reports.ports import ReportCatalog
from domain.callback_hosts import CallbackAllowList
from domain.callback_urls import check_callback_url
from domain.callbacks import Callback
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
    idempotency_key: str | None = None
    """The caller's key for this request (``Idempotency-Key``), already checked for form."""
    request_id: str | None = None
    """The id of the request, kept with the job so that its worker's log lines carry it."""
    trace_parent: str | None = None
    """The request's trace context, when it is traced, kept with the job for its run."""
    callback_url: str | None = None
    """Where to POST the job's status document once it ends (``callbackUrl``)."""
    status_url_of: Callable[[str], str] | None = None
    """The absolute status URL of a job id, as this request sees it (for the callback)."""


logger = logging.getLogger(__name__)

__all__ = ["GenerateReportCommand", "GenerateReportUseCase", "JobAccepted"]


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
    - A ``callbackUrl`` needs webhooks on and its host on the operator's
      allow-list, and must be a plain absolute http(s) URL (``CallbackRefused``,
      ``check_callback_url``); nothing is created otherwise.
    - BR-002: the job id is a random UUID (``Job.queue``).
    - All or nothing (AC-006): the job is answered only once its row is
      committed and queued; if either fails, no job runs and the caller gets
      ``ServiceUnavailable`` (``JobIntake``, which commits many requests' jobs
      at once).
    - Idempotency: a key is the caller's own, per report. The same key with the
      same request (parameters, format and ``callbackUrl``, as checked and completed with their
      defaults) within 24 hours answers the job it first created, whatever the
      limits say; with another request ``IdempotencyKeyReused``; while the first
      request with it is still being committed here ``IdempotencyKeyInFlight``.
      A database unique constraint makes one key one job across processes.
    - Limits: a caller creates at most ``rate_per_minute`` jobs in any minute and
      has at most ``max_unfinished`` jobs ``Queued`` or ``Running``; over either,
      ``TooManyJobs`` with an estimate of when to retry, and nothing is created.
    Keys and limits are decided in the transaction of the batch that would
    create the job (``JobIntake``, ``batch_admission``), which holds the callers'
    admission until it commits: they hold across processes and under concurrency.
    The report is read from the in-memory catalog, which sees a change made in
    this process at once and one made elsewhere within a second.
    """

    def __init__(
        self,
        *,
        reports: ReportCatalog,
        intake: JobIntake,
        clock: Clock,
        callback_hosts: CallbackAllowList | None = None,
    ) -> None:
        self._reports = reports
        self._intake = intake
        self._clock = clock
        self._callback_hosts = callback_hosts

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
        callback_url = None
        if command.callback_url is not None:
            callback_url = check_callback_url(command.callback_url, self._callback_hosts)
        job = Job.queue(
            report_id=report.id,
            requested_by=principal.subject,
            request=request,
            now=self._clock.now(),
            request_id=command.request_id,
            trace_parent=command.trace_parent,
        )
        if callback_url is not None:
            status_url = command.status_url_of(job.id) if command.status_url_of else ""
            job.callback = Callback(url=callback_url, status_url=status_url)
        key = None
        if command.idempotency_key is not None:
            key = IdempotencyKey(
                caller=principal.subject,
                report_id=report.id,
                key=command.idempotency_key,
                fingerprint=request_fingerprint(request, callback_url),
            )
        accepted = await self._intake.submit(job, key)
        # DEBUG: a line for every request would cost the API a sixth of its throughput; the
        # worker's lines carry the request's id, and the access log, when on, each request.
        logger.debug(
            "Job %s accepted: report %s, format %s, for %s.",
            accepted.job_id,
            report.id,
            request.format.value,
            principal.subject,
            extra={"job_id": accepted.job_id},
        )
        return accepted
