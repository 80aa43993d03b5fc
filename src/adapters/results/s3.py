"""Result files in an S3 bucket (AWS, MinIO, moto) through obstore: whole objects only."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Mapping
from contextlib import asynccontextmanager, suppress
from datetime import timedelta
from pathlib import Path

import obstore
from obstore.store import S3Store

from adapters.results.local import check_key
from adapters.results.s3_config import s3_client_config, s3_store_errors
from adapters.results.spool import SpooledUpload
from application.common.errors import ResultMissing
from application.jobs.file_ports import ResultUpload

CHUNK_BYTES = 256 * 1024
PART_BYTES = 8 * 1024 * 1024
PARTS_AT_ONCE = 4


class ObstoreResultStore:
    """Keeps each result as the object ``<prefix>/<key>`` of one bucket.

    A result is spooled to a private temporary file (writers seek back: zip
    headers), hashed at commit, then uploaded from that file: in one PUT up to
    ``part_bytes``, else as a multipart upload of ``part_bytes`` parts that obstore
    aborts when a part or the completion fails. S3 shows an object only once it is
    whole, so an upload never committed, or failed, leaves none. Reads are ranged
    GETs streamed in chunks. ``environment`` holds the standard ``AWS_*`` variables.
    Each request, with its retries, is bounded by ``timeout``; a store that is down,
    refuses or does not answer raises ``ResultStoreUnavailable``.
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        environment: Mapping[str, str],
        timeout: timedelta = timedelta(seconds=30),
        part_bytes: int = PART_BYTES,
        spool_directory: Path | None = None,
    ) -> None:
        config, client, retry = s3_client_config(environment, timeout)
        self._store = S3Store(
            bucket,
            prefix=prefix or None,
            config=config,
            client_options=client,
            retry_config=retry,
        )
        # A request ends by itself within ``timeout`` (and obstore then aborts an upload);
        # this outer bound only catches a call that hangs beyond all of that.
        self._deadline = 2 * timeout.total_seconds() + 1
        self._part_bytes = part_bytes
        self._spool_directory = spool_directory

    @asynccontextmanager
    async def create(self, key: str) -> AsyncIterator[ResultUpload]:
        """Start writing ``key``: into a temporary file, uploaded by ``commit``.

        Leaving without ``commit`` (a failed query, a cancelled job) removes the
        temporary file and sends nothing to the store.
        """
        check_key(key)
        upload = await SpooledUpload.start(key, self._spool_directory, self._upload)
        try:
            with s3_store_errors("writing a file"):
                yield upload
        finally:
            upload.discard()

    async def _upload(self, key: str, path: Path) -> None:
        upload = asyncio.ensure_future(
            obstore.put_async(
                self._store, key, path, chunk_size=self._part_bytes, max_concurrency=PARTS_AT_ONCE
            )
        )
        try:
            with s3_store_errors("storing a file"):
                await asyncio.shield(upload)
        except asyncio.CancelledError:
            await self._take_back(key, upload)
            raise

    async def _take_back(self, key: str, upload: Awaitable[object]) -> None:
        """Leave nothing of an upload whose job was cancelled (stopped, ran too long).

        obstore cannot abort a multipart upload it is made to drop, so the upload is
        let end: completed, it is deleted; failed, obstore has aborted it. Only one
        still running after the deadline is dropped (the bucket's lifecycle rule for
        incomplete uploads removes it, as it does for a killed worker's).
        """
        with suppress(Exception):
            async with asyncio.timeout(self._deadline):
                await upload
            async with asyncio.timeout(self._deadline):
                await obstore.delete_async(self._store, key)

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The bytes ``start`` to ``end`` (inclusive; ``None``: to the end): a HEAD for the
        size, then one ranged GET streamed in chunks of at least 256 KiB."""
        check_key(key)
        if start < 0 or (end is not None and end < start):
            raise ValueError(f"Invalid byte range {start}-{end}.")
        size = await self._size(key)
        last = size - 1 if end is None else min(end, size - 1)
        if start > last:
            return
        with s3_store_errors("reading a file", missing=key):
            async with asyncio.timeout(self._deadline):
                answer = await obstore.get_async(
                    self._store, key, options={"range": (start, last + 1)}
                )
            stream = answer.stream(min_chunk_size=CHUNK_BYTES)
            while True:
                async with asyncio.timeout(self._deadline):
                    chunk = await anext(stream, None)
                if chunk is None:
                    return
                yield bytes(chunk)

    async def delete(self, key: str) -> None:
        """Remove ``key``; nothing happens if it is not there (S3's DELETE is idempotent)."""
        check_key(key)
        with s3_store_errors("deleting a file"):
            async with asyncio.timeout(self._deadline):
                await obstore.delete_async(self._store, key)

    async def exists(self, key: str) -> bool:
        """Whether an object is kept under ``key``."""
        check_key(key)
        try:
            await self._size(key)
        except ResultMissing:
            return False
        return True

    async def _size(self, key: str) -> int:
        with s3_store_errors("checking a file", missing=key):
            async with asyncio.timeout(self._deadline):
                meta = await obstore.head_async(self._store, key)
        return meta["size"]
