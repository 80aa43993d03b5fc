"""GET /api/v1/reports[/{reportId}]: what each caller may see of the report configurations."""

from litestar.testing import AsyncTestClient

from tests.http.conftest import TokenFactory, bearer

DEMO = ["report-123", "report-456", "report-789"]


async def test_an_analyst_lists_the_reports_it_may_run_without_their_internals(
    client: AsyncTestClient, token: TokenFactory
) -> None:
    response = await client.get("/api/v1/reports", headers=bearer(token()))
    assert response.status_code == 200
    body = response.json()
    assert [report["id"] for report in body["reports"]] == DEMO
    assert body["next"] is None
    first = body["reports"][0]
    assert first["deliveryTargets"] == [{"type": "api_response", "mode": "async"}]
    assert first["formats"] == ["csv", "json", "xlsx"]
    assert first["allowedRoles"] == ["analyst"]
    assert [p["name"] for p in first["parameters"]] == ["start_date", "end_date", "region"]
    assert first["parameters"][0]["type"] == "date"
    email = body["reports"][2]["deliveryTargets"][0]
    assert email == {"type": "email"}
    assert "query" not in first
    assert "dataSource" not in first


async def test_an_admin_sees_every_report_with_its_data_source_query_and_recipients(
    client: AsyncTestClient, token: TokenFactory
) -> None:
    admin = bearer(token(sub="root", roles=(), scopes=("reports:admin",)))
    body = (await client.get("/api/v1/reports", headers=admin)).json()
    assert [report["id"] for report in body["reports"]] == DEMO
    first = body["reports"][0]
    assert first["dataSource"] == "demo"
    assert first["query"].startswith("SELECT")
    assert body["reports"][2]["deliveryTargets"][0]["recipients"] == ["sales-team@example.com"]
    one = (await client.get("/api/v1/reports/report-123", headers=admin)).json()
    assert one == first


async def test_a_caller_without_the_role_sees_no_report_and_gets_404_for_one(
    client: AsyncTestClient, token: TokenFactory
) -> None:
    sales = bearer(token(roles=("sales",)))
    assert (await client.get("/api/v1/reports", headers=sales)).json()["reports"] == []
    hidden = await client.get("/api/v1/reports/report-123", headers=sales)
    unknown = await client.get("/api/v1/reports/report-999", headers=sales)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["error"] == "Report 'report-123' was not found."


async def test_reports_are_paged_by_id_with_a_next_link(
    client: AsyncTestClient, token: TokenFactory
) -> None:
    headers = bearer(token())
    first = (await client.get("/api/v1/reports?limit=2", headers=headers)).json()
    assert [report["id"] for report in first["reports"]] == DEMO[:2]
    second = (await client.get(first["next"], headers=headers)).json()
    assert [report["id"] for report in second["reports"]] == DEMO[2:]
    assert second["next"] is None


async def test_reading_reports_needs_a_token(client: AsyncTestClient) -> None:
    response = await client.get("/api/v1/reports")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
