"""A result written to a private temporary file first, then sent whole to a remote store."""

import asyncio
import glob
import hashlib
import os
import tempfile
from collections.abc import Awaitable, Callable
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

from adapters.private_paths import make_private_directory
from adapters.results.local import CHUNK_BYTES, store_errors
from application.jobs.file_ports import StoredFile

#: Sends the finished file at ``path`` to the store under ``key``.
Sender = Callable[[str, Path], Awaitable[None]]


class SpooledUpload:
    """A ``ResultUpload`` whose bytes wait in a temporary file until ``commit`` sends them."""

    def __init__(self, key: str, path: Path, file: BinaryIO, send: Sender) -> None:
        self._key = key
        self._path = path
        self._file = file
        self._send = send

    @classmethod
    async def start(cls, key: str, directory: Path | None, send: Sender) -> "SpooledUpload":
        """A new temporary file (mode 0600) in ``directory`` (created, mode 0700; ``None``:
        the system's temporary directory)."""
        with store_errors("creating a file"):
            path = await asyncio.to_thread(_new_file, key, directory)
        return cls(key, path, path.open("r+b"), send)

    @property
    def file(self) -> BinaryIO:
        """Where to write the bytes: seekable, as zip writers need."""
        return self._file

    async def commit(self) -> StoredFile:
        """Hash the finished file and send it; the key shows it only once it is whole."""
        with store_errors("writing a file"):
            size, sha256 = await asyncio.to_thread(self._finish)
        await self._send(self._key, self._path)
        return StoredFile(self._key, size, sha256)

    def discard(self) -> None:
        """Close and remove the temporary file (committed or not: the store has the bytes)."""
        with suppress(OSError):
            self._file.close()
        with suppress(OSError):
            self._path.unlink(missing_ok=True)

    def _finish(self) -> tuple[int, str]:
        # Hashed by reading the finished file back: writers may seek (zip headers).
        self._file.flush()
        self._file.seek(0)
        digest, size = hashlib.sha256(), 0
        while chunk := self._file.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
        self._file.close()
        return size, digest.hexdigest()


def _new_file(key: str, directory: Path | None) -> Path:
    if directory is not None:
        make_private_directory(directory)
        # A writer of this key that was killed left its file; the key is written again now.
        for leftover in directory.glob(f".{glob.escape(key)}.*.part"):
            leftover.unlink(missing_ok=True)
    descriptor, name = tempfile.mkstemp(prefix=f".{key}.", suffix=".part", dir=directory)
    os.close(descriptor)
    return Path(name)
