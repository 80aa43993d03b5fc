"""The S3 result store on a real S3 server (moto, on loopback): whole objects, ranges, outages."""

import asyncio
import hashlib
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.results.s3 import ObstoreResultStore
from application.common.errors import ResultMissing, ResultStoreUnavailable
from tests.support.moto_server import CREDENTIALS, MotoServer
from tests.support.redis_server import free_port
from tests.support.tcp import SilentServer

KEY = "2b6f0c1e-5c1d-4f7e-9a55-0c3f2b8d9e10.csv"
CONTENT = bytes(range(256)) * 2_400  # 600 KiB
PREFIX = "reports/results"
TIMEOUT = timedelta(seconds=2)


@pytest.fixture
def bucket(moto_server: MotoServer) -> str:
    return moto_server.new_bucket()


@pytest.fixture
def store(moto_server: MotoServer, bucket: str, tmp_path: Path) -> ObstoreResultStore:
    return ObstoreResultStore(
        bucket,
        PREFIX,
        environment=moto_server.environment(),
        timeout=TIMEOUT,
        part_bytes=5 * 1024 * 1024,
        spool_directory=tmp_path,
    )


async def read_all(
    store: ObstoreResultStore, key: str, start: int = 0, end: int | None = None
) -> bytes:
    return b"".join([chunk async for chunk in store.read(key, start, end)])


async def store_file(store: ObstoreResultStore, key: str, content: bytes) -> None:
    async with store.create(key) as upload:
        upload.file.write(content)
        await upload.commit()


async def test_a_committed_file_is_one_object_under_the_prefix_with_its_size_and_sha256(
    store: ObstoreResultStore, moto_server: MotoServer, bucket: str, tmp_path: Path
) -> None:
    async with store.create(KEY) as upload:
        upload.file.write(CONTENT[:1000])
        upload.file.write(CONTENT[1000:])
        assert not await store.exists(KEY)
        stored = await upload.commit()
    assert (stored.key, stored.size_bytes) == (KEY, len(CONTENT))
    assert stored.sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert await store.exists(KEY)
    assert moto_server.keys(bucket) == [f"{PREFIX}/{KEY}"]
    assert await read_all(store, KEY) == CONTENT
    assert os.listdir(tmp_path) == []  # the spooled file is gone


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (0, 0, CONTENT[:1]),
        (len(CONTENT) - 1, None, CONTENT[-1:]),
        (100_000, 399_999, CONTENT[100_000:400_000]),
        (5, 5, CONTENT[5:6]),
        (len(CONTENT) - 10, len(CONTENT) + 100, CONTENT[-10:]),
        (len(CONTENT), None, b""),
    ],
)
async def test_byte_ranges_are_inclusive_and_read_by_ranged_gets(
    store: ObstoreResultStore, start: int, end: int | None, expected: bytes
) -> None:
    await store_file(store, KEY, CONTENT)
    assert await read_all(store, KEY, start, end) == expected


async def test_a_file_of_several_parts_round_trips_whole(
    store: ObstoreResultStore, moto_server: MotoServer, bucket: str
) -> None:
    content = os.urandom(13 * 1024 * 1024)  # three parts of 5 MiB at most
    await store_file(store, "big.csv", content)
    etag = moto_server.client().head_object(Bucket=bucket, Key=f"{PREFIX}/big.csv")["ETag"]
    assert etag.strip('"').endswith("-3")  # S3 marks a multipart object's ETag with its parts
    digest = hashlib.sha256()
    async for chunk in store.read("big.csv"):
        digest.update(chunk)
    assert digest.hexdigest() == hashlib.sha256(content).hexdigest()
    assert moto_server.pending_uploads(bucket) == []


async def test_leaving_without_commit_or_with_an_error_leaves_no_object_and_no_upload(
    store: ObstoreResultStore, moto_server: MotoServer, bucket: str, tmp_path: Path
) -> None:
    async with store.create(KEY) as upload:
        upload.file.write(os.urandom(6 * 1024 * 1024))

    async def write_then_fail() -> None:
        async with store.create(KEY) as failing:
            failing.file.write(os.urandom(6 * 1024 * 1024))
            raise RuntimeError("the query failed")

    with pytest.raises(RuntimeError, match="the query failed"):
        await write_then_fail()
    assert not await store.exists(KEY)
    assert moto_server.keys(bucket) == []
    assert moto_server.pending_uploads(bucket) == []
    assert os.listdir(tmp_path) == []


async def test_writing_a_key_again_removes_the_spooled_file_a_killed_writer_left(
    moto_server: MotoServer, bucket: str, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    store = ObstoreResultStore(
        bucket, PREFIX, environment=moto_server.environment(), spool_directory=spool
    )
    await store_file(store, "first.csv", b"creates the spool")
    assert spool.stat().st_mode & 0o077 == 0
    (spool / f".{KEY}.0123456789.part").write_bytes(CONTENT)  # its writer died
    (spool / ".other-key.csv.0123456789.part").write_bytes(CONTENT)
    await store_file(store, KEY, b"again")
    assert os.listdir(spool) == [".other-key.csv.0123456789.part"]
    assert await read_all(store, KEY) == b"again"


async def test_a_multipart_upload_the_store_refuses_is_aborted_and_leaves_nothing(
    moto_server: MotoServer, bucket: str, tmp_path: Path
) -> None:
    # S3 refuses to complete an upload whose parts (but the last) are under 5 MiB.
    store = ObstoreResultStore(
        bucket, PREFIX, environment=moto_server.environment(), part_bytes=1024 * 1024
    )
    with pytest.raises(ResultStoreUnavailable, match="storing a file"):
        await store_file(store, KEY, os.urandom(3 * 1024 * 1024))
    assert moto_server.keys(bucket) == []
    assert moto_server.pending_uploads(bucket) == []
    assert not await store.exists(KEY)


async def test_a_commit_cancelled_mid_upload_leaves_no_object_and_no_upload(
    store: ObstoreResultStore, moto_server: MotoServer, bucket: str
) -> None:
    commit = asyncio.ensure_future(store_file(store, KEY, os.urandom(40 * 1024 * 1024)))
    deadline = time.monotonic() + 10
    while not await asyncio.to_thread(moto_server.pending_uploads, bucket):
        assert time.monotonic() < deadline, "the upload never started"
        await asyncio.sleep(0.02)
    commit.cancel()  # the job was cancelled, ran too long, or its worker stops
    with pytest.raises(asyncio.CancelledError):
        await commit
    assert moto_server.pending_uploads(bucket) == []
    assert moto_server.keys(bucket) == []


async def test_delete_removes_an_object_and_ignores_a_missing_one(
    store: ObstoreResultStore,
) -> None:
    await store_file(store, KEY, CONTENT)
    await store.delete(KEY)
    await store.delete(KEY)
    await store.delete("never-stored.csv")
    assert not await store.exists(KEY)
    with pytest.raises(ResultMissing):
        await read_all(store, KEY)


@pytest.mark.parametrize("key", ["../escape.csv", "a/b.csv", ".hidden", ""])
async def test_keys_that_are_not_plain_file_names_are_refused(
    store: ObstoreResultStore, key: str
) -> None:
    with pytest.raises(ValueError, match="Invalid result key"):
        async with store.create(key):
            pass
    with pytest.raises(ValueError, match="Invalid result key"):
        await read_all(store, key)


def unanswered(port: int, tmp_path: Path) -> ObstoreResultStore:
    environment = {**CREDENTIALS, "AWS_REGION": "us-east-1"}
    environment["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{port}"
    return ObstoreResultStore(
        "reportgen-down", PREFIX, environment=environment, timeout=TIMEOUT, spool_directory=tmp_path
    )


def every_call(store: ObstoreResultStore) -> list[Callable[[], Awaitable[object]]]:
    return [
        lambda: store_file(store, KEY, CONTENT),
        lambda: read_all(store, KEY),
        lambda: store.delete(KEY),
        lambda: store.exists(KEY),
    ]


@pytest.fixture
async def silent_port() -> AsyncIterator[int]:
    server = SilentServer()
    await server.start()
    yield server.port
    await server.stop()


@pytest.mark.parametrize("call", range(4), ids=["create-commit", "read", "delete", "exists"])
async def test_a_store_nobody_answers_on_is_unavailable_at_once(call: int, tmp_path: Path) -> None:
    store = unanswered(free_port(), tmp_path)
    started = time.monotonic()
    with pytest.raises(ResultStoreUnavailable):
        await every_call(store)[call]()
    assert time.monotonic() - started < TIMEOUT.total_seconds()
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("call", range(4), ids=["create-commit", "read", "delete", "exists"])
async def test_a_store_that_hangs_is_unavailable_within_the_timeout(
    call: int, tmp_path: Path, silent_port: int
) -> None:
    store = unanswered(silent_port, tmp_path)
    started = time.monotonic()
    with pytest.raises(ResultStoreUnavailable):
        await every_call(store)[call]()
    assert time.monotonic() - started < 2 * TIMEOUT.total_seconds() + 1.5
