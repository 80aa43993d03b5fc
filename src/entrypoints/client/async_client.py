"""``AsyncReportgenClient``: the API from asyncio code."""

import asyncio
import os
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from entrypoints.client import wire
from entrypoints.client.async_follow import AsyncJobFollower
from entrypoints.client.errors import TimedOut
from entrypoints.client.landing import AsyncLanding, destination, expected_result
from entrypoints.client.models import Job, JobAccepted, JobPage, Report, ReportPage
from entrypoints.client.watch import ProgressCallback, Watch

T = TypeVar("T")


class AsyncReportgenClient:
    """``ReportgenClient``'s twin for asyncio: the same methods, awaited.

    ``async with AsyncReportgenClient(url, token) as client: ...``; ``list_jobs`` is an
    async iterator. ``http`` (an ``httpx.AsyncClient``) replaces the client it would make.
    """

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000",
        token: str = "",
        *,
        timeout: float = 30.0,
        http: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = http or httpx.AsyncClient(
            base_url=base_url, timeout=timeout, transport=transport
        )
        self._http.headers.update(wire.client_headers(token))
        self._timeout = timeout

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, *_: type[BaseException] | BaseException | TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def generate(
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
        return wire.answer(await self._send(request), JobAccepted)

    async def status(self, job_id: str) -> Job:
        """The job as it is now."""
        return await self._get(wire.job_path(job_id), Job)

    async def cancel(self, job_id: str) -> Job:
        """Cancel a job that has not ended (409 if it has)."""
        request = self._http.build_request("DELETE", wire.job_path(job_id))
        return wire.answer(await self._send(request), Job)

    async def list_jobs(
        self, status: str | None = None, report_id: str | None = None, limit: int | None = None
    ) -> AsyncIterator[Job]:
        """The caller's jobs, newest first, page after page: all of them, or ``limit``."""
        query = wire.jobs_query(status, report_id, wire.page_size(limit))
        request: httpx.Request | None = self._http.build_request(
            "GET", f"{wire.API}/jobs", params=query
        )
        count = 0
        while request is not None:
            page = wire.answer(await self._send(request), JobPage)
            for job in page.jobs[: None if limit is None else limit - count]:
                count += 1
                yield job
            more = page.next and (limit is None or count < limit)
            request = wire.next_request(self._http, page.next) if more and page.next else None

    async def list_reports(self) -> list[Report]:
        """The reports the caller may see (an administrator: all)."""
        reports: list[Report] = []
        query = {"limit": str(wire.PAGE_SIZE_CEILING)}
        request: httpx.Request | None = self._http.build_request(
            "GET", f"{wire.API}/reports", params=query
        )
        while request is not None:
            page = wire.answer(await self._send(request), ReportPage)
            reports.extend(page.reports)
            request = wire.next_request(self._http, page.next) if page.next else None
        return reports

    async def get_report(self, report_id: str) -> Report:
        """One report's configuration."""
        return await self._get(wire.report_path(report_id), Report)

    async def download(self, job_id: str, path: str | os.PathLike[str]) -> Path:
        """Save the job's file at ``path`` (a directory: under the file's own name).

        Streamed beside ``path``, checked against the job's SHA-256, then renamed into
        place; ``ChecksumMismatch`` leaves no file.
        """
        result = expected_result(await self.status(job_id))
        target = destination(path, result)
        with wire.transport_errors(self._http.base_url):
            async with self._http.stream("GET", wire.job_path(job_id, "/result")) as response:
                if response.is_error:
                    await response.aread()
                    raise wire.error_from(response)
                async with AsyncLanding(target, result.sha256) as landing:
                    async for chunk in response.aiter_bytes():
                        await landing.write(chunk)
        return target

    async def wait(
        self,
        job_id: str,
        timeout: float | None = None,  # noqa: ASYNC109 - the blocking client's signature
        on_progress: ProgressCallback | None = None,
    ) -> Job:
        """Follow the job until it ends (``Succeeded``, ``Failed``, ``Cancelled``).

        Listens to its server-sent events, resuming after a drop; polls where the server
        has none. ``on_progress`` is called with each job document seen; ``TimedOut``
        after ``timeout`` seconds.
        """
        watch = Watch(job_id, timeout, on_progress)
        follower = AsyncJobFollower(self._http, self._timeout, self.status)
        try:
            async with asyncio.timeout(timeout):  # also while a stream sends only keep-alives
                return await follower.wait(watch)
        except TimeoutError as exc:
            raise TimedOut(f"Job {job_id} did not end within the time given.") from exc

    async def _get(self, path: str, kind: type[T]) -> T:
        return wire.answer(await self._send(self._http.build_request("GET", path)), kind)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        with wire.transport_errors(self._http.base_url):
            return await self._http.send(request)
