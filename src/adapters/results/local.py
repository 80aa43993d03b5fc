"""Result files in a local directory, written atomically: a temporary file, then a rename."""

import asyncio
import glob
import hashlib
import os
import re
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from adapters.private_paths import FILE_MODE, make_private_directory
from application.common.errors import ResultMissing, ResultStoreUnavailable
from application.jobs.file_ports import ResultUpload, StoredFile

CHUNK_BYTES = 256 * 1024
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}")


class LocalResultStore:
    """Keeps each result as a file named by its key in ``directory`` (created on first use).

    Keys are plain file names (``2b6f0c1e-....csv``); anything else raises
    ``ValueError``. A file is written as ``.<key>.<random>.part`` beside its
    final name and renamed onto it whole, so no reader ever sees half a file.
    Reading a missing key raises ``ResultMissing``; other failures ``ResultStoreUnavailable``.
    """

    def __init__(self, directory: Path) -> None:
        self._directory = Path(directory)

    @asynccontextmanager
    async def create(self, key: str) -> AsyncIterator[ResultUpload]:
        """Start writing ``key``; the file is discarded on leaving unless committed.

        A failed write into ``upload.file`` (a full disk, say) leaves the block as
        ``ResultStoreUnavailable``, like every other failure of the store.
        """
        final = self._path(key)
        with store_errors("creating a file"):
            upload = await asyncio.to_thread(_LocalUpload.start, final)
        try:
            with store_errors("writing a file"):
                yield upload
        finally:
            upload.discard()

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The bytes ``start`` to ``end`` (inclusive; ``None``: to the end), 256 KiB at a time."""
        path = self._path(key)
        if start < 0 or (end is not None and end < start):
            raise ValueError(f"Invalid byte range {start}-{end}.")
        remaining = None if end is None else end - start + 1
        with store_errors("reading a file"):
            file = await asyncio.to_thread(_open_at, path, start)
        try:
            while remaining is None or remaining > 0:
                size = CHUNK_BYTES if remaining is None else min(CHUNK_BYTES, remaining)
                with store_errors("reading a file"):
                    chunk = await asyncio.to_thread(file.read, size)
                if not chunk:
                    return
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk
        finally:
            file.close()

    async def delete(self, key: str) -> None:
        """Remove ``key``, and what a killed writer of it left; nothing happens if it is
        not there."""
        path = self._path(key)
        with store_errors("deleting a file"):
            await asyncio.to_thread(_remove_with_leftovers, path)

    async def exists(self, key: str) -> bool:
        """Whether a whole file is kept under ``key``."""
        path = self._path(key)
        with store_errors("checking a file"):
            return await asyncio.to_thread(path.is_file)

    def _path(self, key: str) -> Path:
        return self._directory / check_key(key)


class _LocalUpload:
    """A temporary file beside the final one; ``commit`` renames it into place."""

    def __init__(self, final: Path, temporary: Path, file: BinaryIO) -> None:
        self._final = final
        self._temporary = temporary
        self._file = file
        self._committed = False

    @classmethod
    def start(cls, final: Path) -> "_LocalUpload":
        make_private_directory(final.parent)
        # A writer of this key that was killed (SIGKILL, a power cut) left its temporary
        # file behind; the key is written again now, so that file will never be finished.
        _remove_leftovers(final)
        temporary = final.with_name(f".{final.name}.{secrets.token_hex(8)}.part")
        descriptor = os.open(temporary, os.O_RDWR | os.O_CREAT | os.O_EXCL, FILE_MODE)
        return cls(final, temporary, os.fdopen(descriptor, "w+b"))

    @property
    def file(self) -> BinaryIO:
        """Where to write the bytes: seekable, as zip writers need."""
        return self._file

    async def commit(self) -> StoredFile:
        """Sync the file to disk, hash it, and rename it onto its key (atomic)."""
        with store_errors("storing a file"):
            size, sha256 = await asyncio.to_thread(self._commit)
        return StoredFile(self._final.name, size, sha256)

    def discard(self) -> None:
        """Close the file and remove it unless it was committed."""
        with suppress(OSError):
            self._file.close()
        if not self._committed:
            with suppress(OSError):
                self._temporary.unlink(missing_ok=True)

    def _commit(self) -> tuple[int, str]:
        # Hashed by reading the finished file back: writers may seek (zip headers).
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.seek(0)
        digest, size = hashlib.sha256(), 0
        while chunk := self._file.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
        self._file.close()
        os.replace(self._temporary, self._final)
        self._committed = True
        _fsync_directory(self._final.parent)
        return size, digest.hexdigest()


def check_key(key: str) -> str:
    """``key`` if it is a plain file name (``2b6f0c1e-....csv``), else ``ValueError``."""
    if not _KEY.fullmatch(key):
        raise ValueError(f"Invalid result key {key[:40]!r}.")
    return key


def _open_at(path: Path, start: int) -> BinaryIO:
    try:
        file = path.open("rb")
    except FileNotFoundError:
        raise ResultMissing(path.name) from None
    file.seek(start)
    return file


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextmanager
def store_errors(action: str) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise ResultStoreUnavailable(f"The result store is unavailable ({action}).") from exc


def _remove_leftovers(final: Path) -> None:
    """Remove the temporary files that writers of ``final`` left (killed mid-file)."""
    for leftover in final.parent.glob(f".{glob.escape(final.name)}.*.part"):
        leftover.unlink(missing_ok=True)


def _remove_with_leftovers(final: Path) -> None:
    final.unlink(missing_ok=True)
    _remove_leftovers(final)
