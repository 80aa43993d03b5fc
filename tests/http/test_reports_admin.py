"""Report configurations as a managed resource, through the real app and a real data source."""

import pytest
from litestar.testing import AsyncTestClient

from adapters.sqlalchemy.demo_data import load_demo_sales
from entrypoints.container import Container
from tests.http.conftest import TokenFactory, bearer


@pytest.fixture
async def admin(container: Container, token: TokenFactory) -> dict[str, str]:
    await load_demo_sales(container.settings().data_sources["demo"], rows=100)
    return bearer(token(sub="root", roles=(), scopes=("reports:admin",)))


async def read(
    client: AsyncTestClient, headers: dict[str, str], report_id: str
) -> tuple[dict, str]:
    response = await client.get(f"/api/v1/reports/{report_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json(), response.headers["etag"]


async def test_a_copy_of_a_report_is_created_and_its_creation_recorded(
    client: AsyncTestClient, admin: dict[str, str]
) -> None:
    document, _ = await read(client, admin, "report-123")
    created = await client.post(
        "/api/v1/reports", json={**document, "id": "north-sales"}, headers=admin
    )
    assert created.status_code == 201, created.text
    assert created.headers["etag"] == '"1"'
    assert created.headers["location"].endswith("/api/v1/reports/north-sales")
    assert created.json()["query"] == document["query"]
    history = (await client.get("/api/v1/reports/north-sales/history", headers=admin)).json()
    assert [(c["action"], c["actor"], c["version"]) for c in history] == [("created", "root", 1)]
    again = await client.post(
        "/api/v1/reports", json={**document, "id": "north-sales"}, headers=admin
    )
    assert again.status_code == 409


async def test_a_reports_own_limits_are_saved_and_shown_to_administrators(
    client: AsyncTestClient, admin: dict[str, str]
) -> None:
    document, _ = await read(client, admin, "report-123")
    limits = {"timeoutSeconds": 30.0, "maxRows": 1000, "maxBytes": 65536}
    body = {**document, "id": "limited", "limits": limits}
    created = await client.post("/api/v1/reports", json=body, headers=admin)
    assert created.status_code == 201, created.text
    saved, _ = await read(client, admin, "limited")
    assert saved["limits"] == limits
    assert "limits" not in document


async def test_async_to_sync_through_the_api_makes_the_next_generate_409(
    client: AsyncTestClient, admin: dict[str, str], token: TokenFactory
) -> None:
    analyst = bearer(token())
    generate = "/api/v1/reports/report-123/generate"
    assert (await client.post(generate, headers=analyst)).status_code == 202
    document, tag = await read(client, admin, "report-123")
    document["deliveryTargets"] = [{"type": "api_response", "mode": "sync"}]
    changed = await client.put(
        "/api/v1/reports/report-123", json=document, headers={**admin, "If-Match": tag}
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"2"'
    refused = await client.post(generate, headers=analyst)
    assert refused.status_code == 409
    assert refused.json() == {"error": "Report is not configured for asynchronous generation."}


async def test_a_stale_or_missing_version_is_refused_and_nothing_changes(
    client: AsyncTestClient, admin: dict[str, str]
) -> None:
    document, tag = await read(client, admin, "report-123")
    url = "/api/v1/reports/report-123"
    first = await client.put(
        url, json={**document, "name": "First"}, headers={**admin, "If-Match": tag}
    )
    assert first.status_code == 200
    second = await client.put(
        url, json={**document, "name": "Second"}, headers={**admin, "If-Match": tag}
    )
    assert second.status_code == 412
    missing = await client.put(url, json=document, headers=admin)
    assert missing.status_code == 428
    assert (await client.delete(url, headers={**admin, "If-Match": tag})).status_code == 412
    assert (await read(client, admin, "report-123"))[0]["name"] == "First"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id": "Bad_Id"}, "id"),
        ({"deliveryTargets": [{"type": "fax"}]}, "deliveryTargets[0].type"),
        ({"deliveryTargets": [{"type": "api_response"}]}, "deliveryTargets[0].mode"),
        ({"deliveryTargets": [{"type": "email"}]}, "deliveryTargets[0].recipients"),
        ({"formats": ["pdf"]}, "formats[0]"),
        ({"parameters": [{"name": "x", "type": "money"}]}, "parameters[0].type"),
        ({"dataSource": "nowhere"}, "dataSource"),
        ({"query": "SELECT no_such_column FROM sales"}, "query"),
        ({"query": "DELETE FROM sales"}, "query"),
        ({"query": "SELECT 1; DROP TABLE sales"}, "query"),
        ({"limits": {"maxRows": 0}}, "limits.maxRows"),
        ({"limits": {"timeoutSeconds": -1}}, "limits.timeoutSeconds"),
        ({"limits": {"maxBytes": 10**16}}, "limits.maxBytes"),
    ],
)
async def test_a_configuration_that_breaks_a_rule_is_422_naming_the_field(
    client: AsyncTestClient, admin: dict[str, str], change: dict[str, object], field: str
) -> None:
    document, _ = await read(client, admin, "report-123")
    body = {**document, "id": "new-report", **change}
    response = await client.post("/api/v1/reports", json=body, headers=admin)
    assert response.status_code == 422, response.text
    assert response.json()["error"].startswith(f"{field}: ")
    assert (await client.get("/api/v1/reports/new-report", headers=admin)).status_code == 404


async def test_deleting_a_report_keeps_its_jobs_and_trail(
    client: AsyncTestClient, admin: dict[str, str], token: TokenFactory
) -> None:
    analyst = bearer(token())
    job = (await client.post("/api/v1/reports/report-123/generate", headers=analyst)).json()
    _, tag = await read(client, admin, "report-123")
    deleted = await client.delete("/api/v1/reports/report-123", headers={**admin, "If-Match": tag})
    assert deleted.status_code == 204
    assert (await client.get("/api/v1/reports/report-123", headers=admin)).status_code == 404
    assert (await client.get(f"/api/v1/jobs/{job['jobId']}", headers=analyst)).status_code == 200
    history = (await client.get("/api/v1/reports/report-123/history", headers=admin)).json()
    assert history[-1]["action"] == "deleted"
    assert history[-1]["actor"] == "root"


async def test_a_non_admin_cannot_manage_reports_or_read_their_history(
    client: AsyncTestClient, admin: dict[str, str], token: TokenFactory
) -> None:
    analyst = bearer(token())
    document, tag = await read(client, admin, "report-123")
    copy = {**document, "id": "mine"}
    assert (await client.post("/api/v1/reports", json=copy, headers=analyst)).status_code == 403
    url = "/api/v1/reports/report-123"
    replaced = await client.put(url, json=document, headers={**analyst, "If-Match": tag})
    assert replaced.status_code == 403
    assert (await client.delete(url, headers={**analyst, "If-Match": tag})).status_code == 403
    assert (await client.get(f"{url}/history", headers=analyst)).status_code == 403
    assert (await read(client, admin, "report-123"))[1] == tag


async def test_the_trail_records_creation_update_and_deletion_in_order(
    client: AsyncTestClient, admin: dict[str, str]
) -> None:
    document, _ = await read(client, admin, "report-123")
    url = "/api/v1/reports/trail-demo"
    created = await client.post(
        "/api/v1/reports", json={**document, "id": "trail-demo"}, headers=admin
    )
    assert created.status_code == 201
    changed = await client.put(
        url,
        json={**document, "id": "trail-demo", "name": "Renamed"},
        headers={**admin, "If-Match": '"1"'},
    )
    assert changed.status_code == 200
    assert (await client.delete(url, headers={**admin, "If-Match": '"2"'})).status_code == 204
    trail = (await client.get(f"{url}/history", headers=admin)).json()
    assert [(c["action"], c["version"]) for c in trail] == [
        ("created", 1),
        ("updated", 2),
        ("deleted", 2),
    ]
    assert trail[1]["report"]["name"] == "Renamed"
    assert "report" not in trail[2]


async def test_changing_an_unknown_report_is_404_and_needs_a_token(
    client: AsyncTestClient, admin: dict[str, str]
) -> None:
    document, _ = await read(client, admin, "report-123")
    unknown = {**document, "id": "nope"}
    url = "/api/v1/reports/nope"
    assert (
        await client.put(url, json=unknown, headers={**admin, "If-Match": '"1"'})
    ).status_code == 404
    assert (await client.delete(url, headers={**admin, "If-Match": '"1"'})).status_code == 404
    assert (await client.get(f"{url}/history", headers=admin)).status_code == 404
    anonymous = await client.post("/api/v1/reports", json=unknown)
    assert anonymous.status_code == 401
    mismatch = await client.put(
        "/api/v1/reports/report-123", json=unknown, headers={**admin, "If-Match": '"1"'}
    )
    assert mismatch.status_code == 422
    assert mismatch.json()["error"].startswith("id: ")


async def test_a_body_over_the_admin_limit_is_413_naming_that_limit(
    client: AsyncTestClient, admin: dict[str, str]
) -> None:
    document, _ = await read(client, admin, "report-123")
    oversized = {**document, "id": "too-big", "description": "x" * (256 * 1024)}

    response = await client.post("/api/v1/reports", json=oversized, headers=admin)

    assert response.status_code == 413
    assert response.json() == {"error": "The request body is larger than 256 KiB."}
    assert (await client.get("/api/v1/reports/too-big", headers=admin)).status_code == 404


@pytest.mark.parametrize(
    ("if_match", "status"),
    [("1", 400), ("1, 2", 400), ('"9"', 412), ('W/"1"', 412), ('"1" x', 400), ("**", 400)],
)
async def test_an_if_match_that_is_no_entity_tag_is_400_and_an_unknown_tag_412(
    client: AsyncTestClient, admin: dict[str, str], if_match: str, status: int
) -> None:
    document, _ = await read(client, admin, "report-123")
    url = "/api/v1/reports/report-123"

    changed = await client.put(
        url, json={**document, "name": "Changed"}, headers={**admin, "If-Match": if_match}
    )
    deleted = await client.delete(url, headers={**admin, "If-Match": if_match})

    assert (changed.status_code, deleted.status_code) == (status, status)
    if status == 400:
        assert "quotes included" in changed.json()["error"]
    assert (await read(client, admin, "report-123"))[0]["name"] == document["name"]


async def test_if_match_star_changes_the_report_whatever_its_version_if_it_exists(
    client: AsyncTestClient, admin: dict[str, str]
) -> None:
    document, _ = await read(client, admin, "report-123")
    url = "/api/v1/reports/report-123"
    star = {**admin, "If-Match": "*"}

    first = await client.put(url, json={**document, "name": "First"}, headers=star)
    second = await client.put(url, json={**document, "name": "Second"}, headers=star)
    deleted = await client.delete(url, headers=star)
    again = await client.delete(url, headers=star)

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.headers["etag"] == '"3"'
    assert (deleted.status_code, again.status_code) == (204, 404)


@pytest.mark.parametrize(
    "body",
    [b"{not json", b'{"id": 3}', b'{"id": "x", "name": "' + b"y" * (300 * 1024) + b'"}'],
    ids=["not JSON", "not a report", "over 256 KiB"],
)
async def test_a_non_admin_is_403_whatever_body_it_sent(
    client: AsyncTestClient, admin: dict[str, str], token: TokenFactory, body: bytes
) -> None:
    headers = {**bearer(token()), "Content-Type": "application/json"}
    url = "/api/v1/reports/report-123"

    created = await client.post("/api/v1/reports", content=body, headers=headers)
    replaced = await client.put(url, content=body, headers={**headers, "If-Match": "1"})

    assert (created.status_code, replaced.status_code) == (403, 403)
    assert "reports:admin" in created.json()["error"]
