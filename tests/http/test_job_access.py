"""Jobs belong to their creator: ownership, listing, cancelling, states without a file."""

import asyncio

import pytest
from litestar.testing import AsyncTestClient

from domain.parameters import ParameterSpec, ParameterType
from domain.reports import (
    DeliveryChannel,
    DeliveryMode,
    DeliveryTarget,
    OutputFormat,
    ReportConfiguration,
)
from entrypoints.container import Container
from entrypoints.http.app import create_app
from tests.fakes import FakeScheduler
from tests.http.conftest import (
    TokenFactory,
    bearer,
    issue_token,
    prepared_container,
    run_jobs_beside_the_app,
)
from tests.http.jobflow import generate, wait_until_finished

UNKNOWN = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
BROKEN = ReportConfiguration(
    id="broken",
    name="Broken",
    data_source="demo",
    query="SELECT no_such_column FROM sales",
    formats=(OutputFormat.CSV,),
    delivery_targets=(DeliveryTarget(DeliveryChannel.API_RESPONSE, DeliveryMode.ASYNC),),
    parameters=(ParameterSpec("region", ParameterType.STRING),),
)


async def test_another_user_gets_the_same_404_as_for_an_unknown_job(
    client: AsyncTestClient,
    token: TokenFactory,
    held: FakeScheduler,
) -> None:
    job_id = await generate(client, token(sub="alice"))
    bob = bearer(token(sub="bob"))
    for method, suffix in (("GET", ""), ("GET", "/result"), ("DELETE", "")):
        theirs = await client.request(method, f"/api/v1/jobs/{job_id}{suffix}", headers=bob)
        unknown = await client.request(method, f"/api/v1/jobs/{UNKNOWN}{suffix}", headers=bob)
        assert theirs.status_code == unknown.status_code == 404
        assert theirs.content == unknown.content
    admin = bearer(token(sub="root", scopes=("reports:admin",)))
    assert (await client.get(f"/api/v1/jobs/{job_id}", headers=admin)).status_code == 200


@pytest.mark.parametrize("path", ["not-a-uuid", "x" * 300, "%00", "..%2F..%2Fetc%2Fpasswd"])
async def test_a_job_id_that_is_not_a_uuid_is_404(
    client: AsyncTestClient, token: TokenFactory, path: str
) -> None:
    for suffix in ("", "/result"):
        response = await client.get(f"/api/v1/jobs/{path}{suffix}", headers=bearer(token()))
        assert response.status_code == 404
        assert response.json()["error"] in {"Job not found.", "Not Found"}


async def test_job_status_needs_a_token(client: AsyncTestClient) -> None:
    response = await client.get(f"/api/v1/jobs/{UNKNOWN}")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_queued_job_is_cancelled_once_and_has_no_result(
    client: AsyncTestClient,
    token: TokenFactory,
    held: FakeScheduler,
) -> None:
    alice = bearer(token())
    job_id = await generate(client, token())
    assert (await client.get(f"/api/v1/jobs/{job_id}/result", headers=alice)).status_code == 409
    cancelled = await client.delete(f"/api/v1/jobs/{job_id}", headers=alice)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "Cancelled"
    again = await client.delete(f"/api/v1/jobs/{job_id}", headers=alice)
    assert again.status_code == 409
    result = await client.get(f"/api/v1/jobs/{job_id}/result", headers=alice)
    assert result.status_code == 409
    assert result.json() == {"error": "The job was cancelled."}


async def test_jobs_are_listed_newest_first_with_filters_and_a_next_link(
    client: AsyncTestClient,
    token: TokenFactory,
    held: FakeScheduler,
) -> None:
    alice = bearer(token())
    ids = [await generate(client, token()) for _ in range(5)]
    await generate(client, token(sub="bob"))
    await client.delete(f"/api/v1/jobs/{ids[0]}", headers=alice)

    first = (await client.get("/api/v1/jobs?limit=3", headers=alice)).json()
    assert [job["jobId"] for job in first["jobs"]] == ids[::-1][:3]
    assert first["next"].startswith("http://testserver.local/api/v1/jobs?")
    second = (await client.get(first["next"], headers=alice)).json()
    assert [job["jobId"] for job in second["jobs"]] == ids[::-1][3:]
    assert second["next"] is None

    cancelled = (await client.get("/api/v1/jobs?status=Cancelled", headers=alice)).json()
    assert [job["jobId"] for job in cancelled["jobs"]] == [ids[0]]
    other = (await client.get("/api/v1/jobs?reportId=report-456", headers=alice)).json()
    assert other["jobs"] == []


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("status=Done", "status"),
        ("cursor=not-a-cursor", "cursor"),
        ("limit=0", "'limit'"),
        ("limit=101", "limit"),
        ("limit=x", "'limit'"),
    ],
)
async def test_a_bad_list_query_is_400_naming_the_parameter(
    client: AsyncTestClient,
    token: TokenFactory,
    query: str,
    named: str,
) -> None:
    response = await client.get(f"/api/v1/jobs?{query}", headers=bearer(token()))
    assert response.status_code == 400
    assert named in response.json()["error"]
    assert "request body" not in response.json()["error"]


async def test_a_report_whose_query_fails_gives_a_failed_job_with_a_safe_reason(
    env: dict[str, str],
) -> None:
    container = await prepared_container(env)
    async with container.unit_of_work() as uow:
        await uow.reports.add(BROKEN)
        await uow.commit()
    await container.engine().dispose()  # the app runs on the test client's own loop
    alice = issue_token(container)
    run_jobs_beside_the_app(container)
    async with AsyncTestClient(app=create_app(container)) as client:
        job_id = await generate(client, alice, "broken")
        body = await wait_until_finished(client, alice, job_id)
        assert body["status"] == "Failed"
        assert "SELECT" not in body["error"]
        assert "sqlite" not in body["error"].lower()
        assert body["resultUrl"] is None
        result = await client.get(f"/api/v1/jobs/{job_id}/result", headers=bearer(alice))
        assert result.status_code == 409
        assert result.json()["error"].startswith("The job failed: ")


@pytest.mark.parametrize("env", [{"REPORTGEN_RESULT_TTL_SECONDS": "1"}], indirect=True)
async def test_an_expired_result_is_410(
    client: AsyncTestClient,
    container: Container,
    token: TokenFactory,
) -> None:
    from adapters.sqlalchemy.demo_data import load_demo_sales

    await load_demo_sales(container.settings().data_sources["demo"], rows=100)
    alice = token()
    job_id = await generate(client, alice)
    assert (await wait_until_finished(client, alice, job_id))["status"] == "Succeeded"
    await asyncio.sleep(1.1)
    status = (await client.get(f"/api/v1/jobs/{job_id}", headers=bearer(alice))).json()
    assert status["resultUrl"] is None
    result = await client.get(f"/api/v1/jobs/{job_id}/result", headers=bearer(alice))
    assert result.status_code == 410
    assert result.json() == {"error": "The result of this job has expired."}
