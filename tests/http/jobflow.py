"""Helpers for HTTP tests that run jobs for real in the embedded mode."""

import asyncio
from typing import Any

from litestar.testing import AsyncTestClient

from tests.http.conftest import bearer

GENERATE = "/api/v1/reports/{}/generate"


async def generate(
    client: AsyncTestClient,
    token: str,
    report_id: str = "report-123",
    **body: Any,
) -> str:
    """Start a job; its id."""
    response = await client.post(
        GENERATE.format(report_id), json=body or None, headers=bearer(token)
    )
    assert response.status_code == 202, response.text
    return str(response.json()["jobId"])


async def wait_until_finished(
    client: AsyncTestClient,
    token: str,
    job_id: str,
    within: float = 20.0,
) -> dict[str, Any]:
    """Poll the job until it finished; its last status body."""
    async with asyncio.timeout(within):
        while True:
            response = await client.get(f"/api/v1/jobs/{job_id}", headers=bearer(token))
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            if body["status"] in {"Succeeded", "Failed", "Cancelled"}:
                assert "retry-after" not in response.headers
                return body
            assert int(response.headers["retry-after"]) > 0
            await asyncio.sleep(0.05)
