"""The real app with REPORTGEN_RESULTS_URL=s3://...: a job's file goes to the bucket and back."""

import hashlib
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from adapters.sqlalchemy.demo_data import load_demo_sales
from entrypoints.container import Container
from tests.http.conftest import SECRET, TokenFactory, bearer
from tests.http.jobflow import generate, wait_until_finished
from tests.support.moto_server import MotoServer

PREFIX = "reportgen/results"


@pytest.fixture
def bucket(moto_server: MotoServer) -> str:
    return moto_server.new_bucket()


@pytest.fixture
def env(tmp_path: Path, moto_server: MotoServer, bucket: str) -> dict[str, str]:
    return {
        "REPORTGEN_DATA_DIR": str(tmp_path),
        "REPORTGEN_JWT_SECRET": SECRET,
        "REPORTGEN_RESULTS_URL": f"s3://{bucket}/{PREFIX}",
        **moto_server.environment(),
    }


async def test_a_job_stores_its_file_in_the_bucket_and_the_download_reads_it_back(
    client: AsyncTestClient,
    container: Container,
    token: TokenFactory,
    moto_server: MotoServer,
    bucket: str,
    tmp_path: Path,
) -> None:
    await load_demo_sales(container.settings().data_sources["demo"], rows=2_000)
    alice = token()
    job_id = await generate(client, alice, parameters={"region": "North"}, format="csv")
    body = await wait_until_finished(client, alice, job_id)
    assert body["status"] == "Succeeded", body

    [key] = moto_server.keys(bucket)
    assert key.startswith(f"{PREFIX}/")
    assert key.endswith(".csv")
    stored = moto_server.client().get_object(Bucket=bucket, Key=key)["Body"].read()
    assert not (tmp_path / "results").exists()

    url = f"/api/v1/jobs/{job_id}/result"
    whole = await client.get(url, headers=bearer(alice))
    assert whole.status_code == 200
    assert whole.content == stored
    assert whole.headers["etag"] == f'"{hashlib.sha256(stored).hexdigest()}"'
    assert body["result"]["sizeBytes"] == len(stored) > 0

    middle = await client.get(url, headers={**bearer(alice), "Range": "bytes=10-29"})
    assert middle.status_code == 206
    assert middle.content == stored[10:30]
    assert middle.headers["content-range"] == f"bytes 10-29/{len(stored)}"
