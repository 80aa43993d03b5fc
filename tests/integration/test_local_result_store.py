"""The local result store on a real directory: atomic files, byte ranges, safe keys."""

import hashlib
import io
import os
from pathlib import Path

import openpyxl
import pytest

from adapters.rendering.xlsx_writer import XlsxFormatWriter
from adapters.results import LocalResultStore
from application.common.errors import ResultMissing, ResultStoreUnavailable

KEY = "2b6f0c1e-5c1d-4f7e-9a55-0c3f2b8d9e10.csv"
CONTENT = bytes(range(256)) * 2_400  # 600 KiB: three chunks


async def read_all(
    store: LocalResultStore, key: str, start: int = 0, end: int | None = None
) -> bytes:
    return b"".join([chunk async for chunk in store.read(key, start, end)])


async def store_file(store: LocalResultStore, key: str, content: bytes) -> None:
    async with store.create(key) as upload:
        upload.file.write(content)
        await upload.commit()


async def test_commit_makes_the_whole_file_appear_with_its_size_and_sha256(tmp_path: Path) -> None:
    store = LocalResultStore(tmp_path / "results" / "nested")
    async with store.create(KEY) as upload:
        upload.file.write(CONTENT[:1000])
        upload.file.write(CONTENT[1000:])
        assert not await store.exists(KEY)
        stored = await upload.commit()
    assert stored.key == KEY
    assert stored.size_bytes == len(CONTENT)
    assert stored.sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert await store.exists(KEY)
    assert os.listdir(tmp_path / "results" / "nested") == [KEY]
    assert (tmp_path / "results" / "nested" / KEY).stat().st_mode & 0o007 == 0


async def test_leaving_without_commit_leaves_nothing_behind(tmp_path: Path) -> None:
    store = LocalResultStore(tmp_path)
    async with store.create(KEY) as upload:
        upload.file.write(CONTENT)
        assert [name.endswith(".part") for name in os.listdir(tmp_path)] == [True]
    assert os.listdir(tmp_path) == []
    assert not await store.exists(KEY)


async def test_writing_a_key_again_removes_what_a_killed_writer_of_it_left(
    tmp_path: Path,
) -> None:
    store = LocalResultStore(tmp_path)
    (tmp_path / f".{KEY}.0123456789abcdef.part").write_bytes(CONTENT)  # its writer died
    (tmp_path / ".other-key.csv.0123456789abcdef.part").write_bytes(CONTENT)
    await store_file(store, KEY, b"again")
    assert sorted(os.listdir(tmp_path)) == [".other-key.csv.0123456789abcdef.part", KEY]


async def test_deleting_a_key_removes_what_a_killed_writer_of_it_left(tmp_path: Path) -> None:
    store = LocalResultStore(tmp_path)
    await store_file(store, KEY, CONTENT)
    (tmp_path / f".{KEY}.0123456789abcdef.part").write_bytes(CONTENT)  # its writer died
    (tmp_path / ".other-key.csv.0123456789abcdef.part").write_bytes(CONTENT)
    await store.delete(KEY)
    assert os.listdir(tmp_path) == [".other-key.csv.0123456789abcdef.part"]


async def test_a_failure_while_writing_leaves_nothing_behind(tmp_path: Path) -> None:
    store = LocalResultStore(tmp_path)

    async def write_then_fail() -> None:
        async with store.create(KEY) as upload:
            upload.file.write(CONTENT)
            raise RuntimeError("the query failed")

    with pytest.raises(RuntimeError, match="the query failed"):
        await write_then_fail()
    assert os.listdir(tmp_path) == []


async def test_a_reader_never_sees_a_partial_file(tmp_path: Path) -> None:
    store = LocalResultStore(tmp_path)
    async with store.create(KEY) as upload:
        upload.file.write(CONTENT[:1000])
        upload.file.flush()
        with pytest.raises(ResultMissing):
            await read_all(store, KEY)
        await upload.commit()
    old_reader = store.read(KEY)
    first_chunk = await anext(old_reader)
    await store_file(store, KEY, b"a newer, shorter file")
    rest = b"".join([chunk async for chunk in old_reader])
    assert first_chunk + rest == CONTENT[:1000]
    assert await read_all(store, KEY) == b"a newer, shorter file"


async def test_a_writer_that_seeks_back_is_stored_and_hashed_as_finished(tmp_path: Path) -> None:
    store = LocalResultStore(tmp_path)
    async with store.create("report.xlsx") as upload:
        writer = XlsxFormatWriter(upload.file, ["n"])
        writer.write_rows([(1,), (2,)])
        writer.close()
        stored = await upload.commit()
    content = await read_all(store, "report.xlsx")
    assert stored.size_bytes == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Report"]
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["n", 1, 2]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (0, None, CONTENT),
        (100, 199, CONTENT[100:200]),
        (300_000, None, CONTENT[300_000:]),
        (5, 5, CONTENT[5:6]),
        (len(CONTENT) - 1, len(CONTENT) + 100, CONTENT[-1:]),
        (len(CONTENT), None, b""),
    ],
)
async def test_byte_ranges_are_inclusive_and_come_in_bounded_chunks(
    tmp_path: Path, start: int, end: int | None, expected: bytes
) -> None:
    store = LocalResultStore(tmp_path)
    await store_file(store, KEY, CONTENT)
    chunks = [chunk async for chunk in store.read(KEY, start, end)]
    assert b"".join(chunks) == expected
    assert all(0 < len(chunk) <= 256 * 1024 for chunk in chunks)


@pytest.mark.parametrize(
    "key", ["../escape.csv", "a/b.csv", ".hidden", "", "x" * 202, "report.csv\n", "/etc/passwd"]
)
async def test_keys_that_are_not_plain_file_names_are_refused(tmp_path: Path, key: str) -> None:
    store = LocalResultStore(tmp_path / "results")
    with pytest.raises(ValueError, match="Invalid result key"):
        async with store.create(key):
            pass
    with pytest.raises(ValueError, match="Invalid result key"):
        await read_all(store, key)
    with pytest.raises(ValueError, match="Invalid result key"):
        await store.delete(key)
    with pytest.raises(ValueError, match="Invalid result key"):
        await store.exists(key)
    assert not (tmp_path / "results").exists()


async def test_delete_removes_a_file_and_ignores_a_missing_one(tmp_path: Path) -> None:
    store = LocalResultStore(tmp_path)
    await store_file(store, KEY, CONTENT)
    await store.delete(KEY)
    await store.delete(KEY)
    assert not await store.exists(KEY)
    with pytest.raises(ResultMissing):
        await read_all(store, KEY)


async def test_a_missing_directory_means_no_file_yet(tmp_path: Path) -> None:
    store = LocalResultStore(tmp_path / "never-created")
    assert not await store.exists(KEY)
    await store.delete(KEY)
    with pytest.raises(ResultMissing):
        await read_all(store, KEY)


async def test_failures_of_the_file_system_make_the_store_unavailable(tmp_path: Path) -> None:
    (tmp_path / "not-a-directory").write_bytes(b"")
    with pytest.raises(ResultStoreUnavailable):
        async with LocalResultStore(tmp_path / "not-a-directory").create(KEY):
            pass
    (tmp_path / KEY).mkdir()
    with pytest.raises(ResultStoreUnavailable):
        await read_all(LocalResultStore(tmp_path), KEY)


async def test_a_failed_write_into_an_upload_is_the_store_being_unavailable(
    tmp_path: Path,
) -> None:
    store = LocalResultStore(tmp_path / "results")

    async def write_until_the_disk_is_full() -> None:
        async with store.create("full.csv") as upload:
            upload.file.write(b"partial")
            raise OSError(28, "No space left on device")

    with pytest.raises(ResultStoreUnavailable, match="writing a file"):
        await write_until_the_disk_is_full()
    assert not await store.exists("full.csv")
    assert list((tmp_path / "results").iterdir()) == []
