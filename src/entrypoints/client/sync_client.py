"""``ReportgenClient``: the API from blocking code."""

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from entrypoints.client import wire
from entrypoints.client.landing import Landing, destination, expected_result
from entrypoints.client.models import Job, JobAccepted, JobPage, Report, ReportPage
from entrypoints.client.sync_follow import JobFollower
from entrypoints.client.watch import ProgressCallback, Watch

T = TypeVar("T")


class ReportgenClient:
    """Generate reports, follow their jobs and download their files.

    ``with ReportgenClient("http://127.0.0.1:8000", token) as client: ...``. Every
    failure raises a ``ReportgenError``. ``http`` (an ``httpx.Client``, e.g. on a test
    transport) replaces the client it would make; its base URL is then its own.
    """

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000",
        token: str = "",
        *,
        timeout: float = 30.0,
        http: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._http = http or httpx.Client(base_url=base_url, timeout=timeout, transport=transport)
        self._http.headers.update(wire.client_headers(token))
        self._timeout = timeout

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def generate(
        self,
        report_id: str,
        parameters: Mapping[str, Any] | None = None,
        format: str | None = None,
        idempotency_key: str | None = None,
        callback_url: str | None = None,
    ) -> JobAccepted:
        """Ask for a report: the new job's id and status URL.

        ``callback_url`` asks for a signed webhook when the job ends (the service must
        allow its host).
        """
        request = wire.generate_request(
            self._http, report_id, parameters, format, idempotency_key, callback_url
        )
        return wire.answer(self._send(request), JobAccepted)

    def status(self, job_id: str) -> Job:
        """The job as it is now."""
        return self._get(wire.job_path(job_id), Job)

    def cancel(self, job_id: str) -> Job:
        """Cancel a job that has not ended (409 if it has)."""
        return wire.answer(
            self._send(self._http.build_request("DELETE", wire.job_path(job_id))), Job
        )

    def list_jobs(
        self, status: str | None = None, report_id: str | None = None, limit: int | None = None
    ) -> Iterator[Job]:
        """The caller's jobs, newest first, page after page: all of them, or ``limit``."""
        query = wire.jobs_query(status, report_id, wire.page_size(limit))
        request: httpx.Request | None = self._http.build_request(
            "GET", f"{wire.API}/jobs", params=query
        )
        count = 0
        while request is not None:
            page = wire.answer(self._send(request), JobPage)
            for job in page.jobs[: None if limit is None else limit - count]:
                count += 1
                yield job
            more = page.next and (limit is None or count < limit)
            request = wire.next_request(self._http, page.next) if more and page.next else None

    def list_reports(self) -> list[Report]:
        """The reports the caller may see (an administrator: all)."""
        reports: list[Report] = []
        query = {"limit": str(wire.PAGE_SIZE_CEILING)}
        request: httpx.Request | None = self._http.build_request(
            "GET", f"{wire.API}/reports", params=query
        )
        while request is not None:
            page = wire.answer(self._send(request), ReportPage)
            reports.extend(page.reports)
            request = wire.next_request(self._http, page.next) if page.next else None
        return reports

    def get_report(self, report_id: str) -> Report:
        """One report's configuration."""
        return self._get(wire.report_path(report_id), Report)

    def download(self, job_id: str, path: str | os.PathLike[str]) -> Path:
        """Save the job's file at ``path`` (a directory: under the file's own name).

        Streamed beside ``path``, checked against the job's SHA-256, then renamed into
        place; ``ChecksumMismatch`` leaves no file.
        """
        result = expected_result(self.status(job_id))
        target = destination(path, result)
        url = wire.job_path(job_id, "/result")
        with wire.transport_errors(self._http.base_url), self._http.stream("GET", url) as response:
            if response.is_error:
                response.read()
                raise wire.error_from(response)
            with Landing(target, result.sha256) as landing:
                for chunk in response.iter_bytes():
                    landing.write(chunk)
        return target

    def wait(
        self, job_id: str, timeout: float | None = None, on_progress: ProgressCallback | None = None
    ) -> Job:
        """Follow the job until it ends (``Succeeded``, ``Failed``, ``Cancelled``).

        Listens to its server-sent events, resuming after a drop; polls where the server
        has none. ``on_progress`` is called with each job document seen; ``TimedOut``
        after ``timeout`` seconds.
        """
        watch = Watch(job_id, timeout, on_progress)
        return JobFollower(self._http, self._timeout, self.status).wait(watch)

    def _get(self, path: str, kind: type[T]) -> T:
        return wire.answer(self._send(self._http.build_request("GET", path)), kind)

    def _send(self, request: httpx.Request) -> httpx.Response:
        with wire.transport_errors(self._http.base_url):
            return self._http.send(request)
