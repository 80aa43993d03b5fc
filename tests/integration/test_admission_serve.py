"""Admission on a real ``reportgen serve --workers 2``: two API processes on one SQLite file."""

import asyncio
import contextlib
import sqlite3

import httpx

from benchmarks.service import Service, running_service

BURST = 24
RATE = 5


async def burst(service: Service, key: str | None = None) -> list[httpx.Response]:
    """``BURST`` generates at once from one token, over connections of their own."""
    headers = {"Authorization": f"Bearer {service.token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    limits = httpx.Limits(max_connections=BURST, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=service.base_url, timeout=10, limits=limits) as client:
        return await asyncio.gather(
            *(
                client.post("/api/v1/reports/report-123/generate", headers=headers)
                for _ in range(BURST)
            )
        )


def job_ids(service: Service) -> set[str]:
    with contextlib.closing(sqlite3.connect(service.data_dir / "reportgen.sqlite3")) as db:
        return {row[0] for row in db.execute('SELECT job_id FROM "JobExecutionLog"')}


def test_two_api_processes_admit_one_job_per_key_and_a_callers_rate_exactly() -> None:
    variables = {"REPORTGEN_GENERATE_RATE_PER_MINUTE": str(RATE)}
    with running_service(workers=2, variables=variables) as service:
        keyed = asyncio.run(burst(service, key="order-42"))
        first_rows = job_ids(service)
        plain = asyncio.run(burst(service))
        rows = job_ids(service)

    accepted = [r for r in keyed if r.status_code == 202]
    assert {r.status_code for r in keyed} <= {202, 409}, [r.text for r in keyed]
    assert {r.json()["jobId"] for r in accepted} == first_rows
    assert len(first_rows) == 1
    assert {r.headers["location"] for r in accepted} == {accepted[0].json()["statusUrl"]}

    statuses = sorted(r.status_code for r in plain)
    assert statuses == [202] * (RATE - 1) + [429] * (BURST - RATE + 1)
    assert {r.json()["jobId"] for r in plain if r.status_code == 202} == rows - first_rows
    refused = [r for r in plain if r.status_code == 429]
    assert all(1 <= int(r.headers["retry-after"]) <= 60 for r in refused)
    assert all("at most 5 a minute" in r.json()["error"] for r in refused)
