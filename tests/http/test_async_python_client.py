"""``AsyncReportgenClient`` against the real app, on the test's own event loop."""

import asyncio
import hashlib
import time
from pathlib import Path

import httpx
import pytest
from litestar.testing import AsyncTestClient

from entrypoints.client import AsyncReportgenClient, ReportgenError
from entrypoints.client.landing import Landing
from tests.http.client_app import sales
from tests.http.conftest import TokenFactory

__all__ = ["sales"]  # fixtures


class AsyncAppTransport(httpx.AsyncBaseTransport):
    """Litestar's test transport of ``http`` (which runs the app), as an httpx transport."""

    def __init__(self, http: AsyncTestClient) -> None:  # type: ignore[type-arg]
        self._inner = http._transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._inner.handle_async_request(request)


async def test_the_async_client_generates_waits_downloads_and_lists(
    client: AsyncTestClient,  # type: ignore[type-arg]
    token: TokenFactory,
    sales: str,
    tmp_path: Path,
) -> None:
    transport = AsyncAppTransport(client)
    async with AsyncReportgenClient(str(client.base_url), token(), transport=transport) as api:
        accepted = await api.generate("report-123", {"region": "West"}, format="csv")
        job = await api.wait(accepted.job_id, timeout=30)
        path = await api.download(accepted.job_id, tmp_path / "west.csv")
        listed = [j.job_id async for j in api.list_jobs(report_id="report-123")]
        reports = await api.list_reports()
        with pytest.raises(ReportgenError) as refused:
            await api.generate("report-456")

    assert job.status == "Succeeded"
    assert job.result is not None
    assert hashlib.sha256(path.read_bytes()).hexdigest() == job.result.sha256
    assert listed == [accepted.job_id]
    assert [r.id for r in reports] == ["report-123", "report-456", "report-789"]
    assert (refused.value.status, refused.value.message) == (
        409,
        "Report is not configured for asynchronous generation.",
    )


async def test_the_async_client_writes_its_download_off_the_event_loop(
    client: AsyncTestClient,  # type: ignore[type-arg]
    token: TokenFactory,
    sales: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    transport = AsyncAppTransport(client)
    async with AsyncReportgenClient(str(client.base_url), token(), transport=transport) as api:
        accepted = await api.generate("report-123", {"region": "West"}, format="csv")
        job = await api.wait(accepted.job_id, timeout=30)
        written = Landing.write

        def slow_disk(landing: Landing, chunk: bytes) -> None:
            time.sleep(0.3)  # blocks whichever thread writes
            written(landing, chunk)

        monkeypatch.setattr(Landing, "write", slow_disk)
        ticks = 0

        async def ticking() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(ticking())
        try:
            path = await api.download(accepted.job_id, tmp_path / "west.csv")
        finally:
            ticker.cancel()

    assert job.result is not None
    assert hashlib.sha256(path.read_bytes()).hexdigest() == job.result.sha256
    assert ticks >= 10  # the loop ran on while the file was written (a tick or two if not)
