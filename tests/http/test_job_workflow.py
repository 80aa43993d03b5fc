"""The whole workflow in the embedded mode: generate, poll, download; through the real app."""

import csv
import hashlib
import io
import json

import pytest
import sqlalchemy as sa
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.sqlalchemy.demo_data import load_demo_sales
from entrypoints.container import Container
from tests.http.conftest import TokenFactory, bearer
from tests.http.jobflow import generate, wait_until_finished

SALES_ROWS = 2_000


@pytest.fixture
async def sales(container: Container) -> str:
    url = container.settings().data_sources["demo"]
    await load_demo_sales(url, rows=SALES_ROWS)
    return url


async def north_rows_since(url: str, start: str) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            query = sa.text("SELECT count(*) FROM sales WHERE region = 'North' AND sale_date >= :d")
            return int((await connection.execute(query, {"d": start})).scalar_one())
    finally:
        await engine.dispose()


async def test_generated_csv_is_polled_to_success_and_downloaded(
    client: AsyncTestClient,
    token: TokenFactory,
    sales: str,
) -> None:
    alice = token()
    parameters = {"region": "North", "start_date": "2025-01-01"}
    job_id = await generate(client, alice, parameters=parameters, format="csv")
    body = await wait_until_finished(client, alice, job_id)

    expected = await north_rows_since(sales, "2025-01-01")
    assert body["status"] == "Succeeded", body
    assert body["resultUrl"] == f"http://testserver.local/api/v1/jobs/{job_id}/result"
    assert body["expiresAt"]
    assert body["finishedAt"]
    assert body["startedAt"]
    assert body["progress"] == {"rowsWritten": expected, "percent": 100.0}
    assert body["result"]["rowCount"] == expected

    download = await client.get(f"/api/v1/jobs/{job_id}/result", headers=bearer(alice))
    assert download.status_code == 200
    content = download.content
    assert download.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        download.headers["content-length"] == str(len(content)) == str(body["result"]["sizeBytes"])
    )
    assert download.headers["etag"] == f'"{hashlib.sha256(content).hexdigest()}"'
    assert download.headers["content-disposition"] == (
        f'attachment; filename="report-123-{job_id[:8]}.csv"'
    )
    rows = list(csv.reader(io.StringIO(content.decode())))
    assert rows[0] == ["id", "sale_date", "region", "product", "quantity", "unit_price", "amount"]
    assert len(rows) - 1 == expected
    assert {row[2] for row in rows[1:]} == {"North"}
    assert min(row[1] for row in rows[1:]) >= "2025-01-01"


async def test_json_result_is_an_array_of_objects(
    client: AsyncTestClient,
    token: TokenFactory,
    sales: str,
) -> None:
    alice = token()
    job_id = await generate(client, alice, parameters={"region": "West"}, format="json")
    assert (await wait_until_finished(client, alice, job_id))["status"] == "Succeeded"
    download = await client.get(f"/api/v1/jobs/{job_id}/result", headers=bearer(alice))
    items = json.loads(download.content)
    assert download.headers["content-type"] == "application/json"
    assert items
    assert all(item["region"] == "West" for item in items)
    assert set(items[0]) == {
        "id",
        "sale_date",
        "region",
        "product",
        "quantity",
        "unit_price",
        "amount",
    }


async def test_conditional_and_partial_downloads(
    client: AsyncTestClient,
    token: TokenFactory,
    sales: str,
) -> None:
    alice = token()
    job_id = await generate(client, alice, parameters={"region": "East"})
    await wait_until_finished(client, alice, job_id)
    url = f"/api/v1/jobs/{job_id}/result"
    whole = await client.get(url, headers=bearer(alice))
    etag, content = whole.headers["etag"], whole.content

    cached = await client.get(url, headers={**bearer(alice), "If-None-Match": etag})
    assert (cached.status_code, cached.content, cached.headers["etag"]) == (304, b"", etag)

    first = await client.get(url, headers={**bearer(alice), "Range": "bytes=0-9"})
    assert first.status_code == 206
    assert first.content == content[:10]
    assert first.headers["content-range"] == f"bytes 0-9/{len(content)}"
    assert first.headers["content-length"] == "10"

    tail = await client.get(url, headers={**bearer(alice), "Range": "bytes=-5"})
    assert (tail.status_code, tail.content) == (206, content[-5:])

    stale = await client.get(
        url, headers={**bearer(alice), "Range": "bytes=0-9", "If-Range": '"x"'}
    )
    assert (stale.status_code, stale.content) == (200, content)

    outside = await client.get(url, headers={**bearer(alice), "Range": f"bytes={len(content)}-"})
    assert outside.status_code == 416
    assert outside.headers["content-range"] == f"bytes */{len(content)}"
    assert outside.json()["error"]
