"""The real app with REPORTGEN_RESULTS_URL=s3://...: a job's file goes to the bucket and back."""

import asyncio
import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from adapters.sqlalchemy.demo_data import load_demo_sales
from entrypoints.container import Container
from tests.http.conftest import SECRET, TokenFactory, bearer, job_rows
from tests.http.jobflow import generate, wait_until_finished
from tests.support.moto_server import MotoServer
from tests.support.tcp import ForwarderThread

PREFIX = "reportgen/results"


@pytest.fixture
def bucket(moto_server: MotoServer) -> str:
    return moto_server.new_bucket()


@pytest.fixture
def link(moto_server: MotoServer) -> Iterator[ForwarderThread]:
    """The service's way to the bucket: stop it to cut the store off."""
    forwarder = ForwarderThread("127.0.0.1", moto_server.port)
    forwarder.start()
    yield forwarder
    forwarder.close()


@pytest.fixture
def env(
    tmp_path: Path, moto_server: MotoServer, bucket: str, link: ForwarderThread
) -> dict[str, str]:
    return {
        "REPORTGEN_DATA_DIR": str(tmp_path),
        "REPORTGEN_JWT_SECRET": SECRET,
        "REPORTGEN_RESULTS_URL": f"s3://{bucket}/{PREFIX}",
        "REPORTGEN_RESULT_STORE_TIMEOUT_SECONDS": "1",
        "REPORTGEN_JOB_RETRY_SECONDS": "0.3",
        "REPORTGEN_JOB_MAX_ATTEMPTS": "10",
        **moto_server.environment(),
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{link.port}",
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
    assert os.listdir(tmp_path / "spool") == []  # spooled in the data dir, then removed

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


async def test_a_bucket_out_of_reach_delays_the_job_and_answers_downloads_503_never_half_a_file(
    client: AsyncTestClient,
    container: Container,
    token: TokenFactory,
    moto_server: MotoServer,
    bucket: str,
    link: ForwarderThread,
) -> None:
    await load_demo_sales(container.settings().data_sources["demo"], rows=2_000)
    alice = token()
    link.stop()
    job_id = await generate(client, alice, parameters={"region": "North"}, format="csv")
    deadline = time.monotonic() + 15
    while not any(row["attempts"] >= 2 for row in await job_rows(container)):
        assert time.monotonic() < deadline, await job_rows(container)
        await asyncio.sleep(0.1)
    status = await client.get(f"/api/v1/jobs/{job_id}", headers=bearer(alice))
    assert status.json()["status"] in {"Queued", "Running"}
    assert moto_server.keys(bucket) == []
    assert moto_server.pending_uploads(bucket) == []

    link.start()
    body = await wait_until_finished(client, alice, job_id)
    assert body["status"] == "Succeeded", body
    [key] = moto_server.keys(bucket)

    link.stop()
    started = time.monotonic()
    cut_off = await client.get(f"/api/v1/jobs/{job_id}/result", headers=bearer(alice))
    assert cut_off.status_code == 503
    assert cut_off.json()["error"]
    assert time.monotonic() - started < 5
    link.start()
    back = await client.get(f"/api/v1/jobs/{job_id}/result", headers=bearer(alice))
    assert back.status_code == 200
    assert back.content == moto_server.client().get_object(Bucket=bucket, Key=key)["Body"].read()
