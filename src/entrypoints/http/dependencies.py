"""The bridge from the container to Litestar: one dependency, ``services``, for every handler.

Each property asks the container again, so tests that override a provider see
their override in the next request. One dependency per handler keeps Litestar
from resolving several at once in a task group on every request.
"""

from litestar.di import Provide

from application.common.readiness import CheckReadinessUseCase
from application.jobs.cancel_job import CancelJobUseCase
from application.jobs.download_result import DownloadResultUseCase
from application.jobs.follow_job import FollowJobUseCase
from application.jobs.generate_report import GenerateReportUseCase
from application.jobs.get_job import GetJobUseCase
from application.jobs.list_jobs import ListJobsUseCase
from application.jobs.wait_for_job import WaitForJobUseCase
from application.reports.create_report import CreateReportUseCase
from application.reports.delete_report import DeleteReportUseCase
from application.reports.get_report import GetReportUseCase
from application.reports.list_reports import ListReportsUseCase
from application.reports.read_report_history import ReadReportHistoryUseCase
from application.reports.replace_report import ReplaceReportUseCase
from application.webhooks.read_job_deliveries import ReadJobDeliveriesUseCase
from entrypoints.container import Container
from entrypoints.http.downloads import ResultDownloads
from entrypoints.http.holds import HeldRequests
from entrypoints.http.job_bodies import JobPresenter
from entrypoints.http.links import LinkBuilder


class HttpServices:
    """The use cases the container builds, and the HTTP layer's own helpers."""

    def __init__(self, container: Container) -> None:
        self._container = container
        self.links = LinkBuilder(container.settings().public_base_url)
        self.downloads = ResultDownloads()
        self.holds = HeldRequests(container.settings().limits.max_held_requests_per_caller)

    @property
    def presenter(self) -> JobPresenter:
        """Jobs as the API shows them."""
        return JobPresenter(self.links, self._container.clock())

    @property
    def generate_report(self) -> GenerateReportUseCase:
        """``POST .../generate``."""
        return self._container.generate_report()

    @property
    def get_job(self) -> GetJobUseCase:
        """``GET /api/v1/jobs/{jobId}``."""
        return self._container.get_job()

    @property
    def wait_for_job(self) -> WaitForJobUseCase:
        """``GET /api/v1/jobs/{jobId}?wait=N`` and ``Prefer: wait=N`` on generate."""
        return self._container.wait_for_job()

    @property
    def follow_job(self) -> FollowJobUseCase:
        """``GET /api/v1/jobs/{jobId}/events``."""
        return self._container.follow_job()

    @property
    def list_jobs(self) -> ListJobsUseCase:
        """``GET /api/v1/jobs``."""
        return self._container.list_jobs()

    @property
    def cancel_job(self) -> CancelJobUseCase:
        """``DELETE /api/v1/jobs/{jobId}``."""
        return self._container.cancel_job()

    @property
    def read_job_deliveries(self) -> ReadJobDeliveriesUseCase:
        """``GET /api/v1/jobs/{jobId}/deliveries``."""
        return self._container.read_job_deliveries()

    @property
    def download_result(self) -> DownloadResultUseCase:
        """``GET /api/v1/jobs/{jobId}/result``."""
        return self._container.download_result()

    @property
    def list_reports(self) -> ListReportsUseCase:
        """``GET /api/v1/reports``."""
        return self._container.list_reports()

    @property
    def get_report(self) -> GetReportUseCase:
        """``GET /api/v1/reports/{reportId}``."""
        return self._container.get_report()

    @property
    def create_report(self) -> CreateReportUseCase:
        """``POST /api/v1/reports``."""
        return self._container.create_report()

    @property
    def replace_report(self) -> ReplaceReportUseCase:
        """``PUT /api/v1/reports/{reportId}``."""
        return self._container.replace_report()

    @property
    def delete_report(self) -> DeleteReportUseCase:
        """``DELETE /api/v1/reports/{reportId}``."""
        return self._container.delete_report()

    @property
    def read_report_history(self) -> ReadReportHistoryUseCase:
        """``GET /api/v1/reports/{reportId}/history``."""
        return self._container.read_report_history()

    @property
    def check_readiness(self) -> CheckReadinessUseCase:
        """``GET /health/ready``."""
        return self._container.check_readiness()


def http_dependencies(container: Container) -> dict[str, Provide]:
    """The one Litestar dependency, ``services``."""
    services = HttpServices(container)

    def provide() -> HttpServices:
        return services

    return {"services": Provide(provide, sync_to_thread=False)}
