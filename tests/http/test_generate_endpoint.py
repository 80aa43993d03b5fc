"""POST /api/v1/reports/{reportId}/generate through the real app, database inspected after."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.container import Container
from tests.http.conftest import TokenFactory, bearer, job_rows

URL = "/api/v1/reports/{}/generate"

# The jobs are only created here, never run: what the tests read is what generate wrote.
pytestmark = pytest.mark.usefixtures("held")


async def test_async_report_is_accepted_with_a_job_and_its_status_url(
    client: AsyncTestClient,
    container: Container,
    token: TokenFactory,
) -> None:
    before = datetime.now(UTC)
    response = await client.post(
        URL.format("report-123"),
        json={"parameters": {"region": "North", "start_date": "2024-01-01"}, "format": "json"},
        headers=bearer(token(sub="alice")),
    )

    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"jobId", "statusUrl"}
    job_id = body["jobId"]
    assert uuid.UUID(job_id).version == 4
    assert body["statusUrl"] == f"http://testserver.local/api/v1/jobs/{job_id}"
    assert response.headers["location"] == body["statusUrl"]
    assert int(response.headers["retry-after"]) > 0
    [row] = await job_rows(container)
    assert row["job_id"] == job_id
    assert row["status"] == "Queued"
    assert row["report_id"] == "report-123"
    assert row["requested_by"] == "alice"
    assert row["format"] == "json"
    assert row["parameters"] == {"region": "North", "start_date": "2024-01-01"}
    created_at = row["created_at"]
    assert isinstance(created_at, datetime)
    assert before - timedelta(seconds=1) <= created_at <= datetime.now(UTC)


async def test_body_is_optional(
    client: AsyncTestClient,
    container: Container,
    token: TokenFactory,
) -> None:
    response = await client.post(URL.format("report-123"), headers=bearer(token()))
    assert response.status_code == 202
    [row] = await job_rows(container)
    assert (row["format"], row["parameters"]) == ("csv", {})


@pytest.mark.parametrize(
    ("env", "base"),
    [
        (
            {"REPORTGEN_PUBLIC_BASE_URL": "https://reports.example.com"},
            "https://reports.example.com",
        ),
        ({"REPORTGEN_PUBLIC_BASE_URL": "https://example.com/rg/"}, "https://example.com/rg"),
    ],
    indirect=["env"],
)
async def test_status_url_uses_the_public_base_url_when_configured(
    client: AsyncTestClient,
    container: Container,
    token: TokenFactory,
    base: str,
) -> None:
    response = await client.post(URL.format("report-123"), headers=bearer(token()))
    job_id = response.json()["jobId"]
    expected = f"{base}/api/v1/jobs/{job_id}"
    assert response.json()["statusUrl"] == expected == response.headers["location"]
    assert len(await job_rows(container)) == 1


async def test_job_ids_are_distinct_random_uuids(
    client: AsyncTestClient,
    token: TokenFactory,
) -> None:
    headers = bearer(token())
    ids = [
        (await client.post(URL.format("report-123"), headers=headers)).json()["jobId"]
        for _ in range(20)
    ]
    assert len(set(ids)) == 20
    assert {uuid.UUID(job_id).version for job_id in ids} == {4}


async def test_unknown_report_is_404(
    client: AsyncTestClient,
    container: Container,
    token: TokenFactory,
) -> None:
    response = await client.post(URL.format("non-existent-report"), headers=bearer(token()))
    assert response.status_code == 404
    assert "non-existent-report" in response.json()["error"]
    assert await job_rows(container) == []


@pytest.mark.parametrize("report_id", ["report-456", "report-789"])
async def test_report_without_async_api_delivery_is_409(
    client: AsyncTestClient,
    container: Container,
    token: TokenFactory,
    report_id: str,
) -> None:
    response = await client.post(URL.format(report_id), headers=bearer(token()))
    assert response.status_code == 409
    assert response.json() == {"error": "Report is not configured for asynchronous generation."}
    assert await job_rows(container) == []


@pytest.mark.parametrize(
    ("scopes", "roles"),
    [((), ("analyst",)), (("reports:admin",), ("analyst",)), (("reports:generate",), ("sales",))],
    ids=["no-scope", "admin-scope-only", "no-allowed-role"],
)
async def test_caller_without_permission_is_403(
    client: AsyncTestClient,
    container: Container,
    token: TokenFactory,
    scopes: tuple[str, ...],
    roles: tuple[str, ...],
) -> None:
    response = await client.post(
        URL.format("report-123"), headers=bearer(token(scopes=scopes, roles=roles))
    )
    assert response.status_code == 403
    assert response.json()["error"]
    assert await job_rows(container) == []
