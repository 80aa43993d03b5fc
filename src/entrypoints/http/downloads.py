"""Streaming a result file from the store: whole, a range of it, or not at all (304)."""

from collections.abc import AsyncIterator
from typing import Any

from litestar import Request, Response
from litestar.response import Stream
from litestar.status_codes import (
    HTTP_206_PARTIAL_CONTENT,
    HTTP_304_NOT_MODIFIED,
    HTTP_416_REQUESTED_RANGE_NOT_SATISFIABLE,
)

from application.report_ports import ResultStore
from domain.errors import ResultExpired
from domain.jobs import StoredResult
from entrypoints.http.errors import error_response
from entrypoints.http.ranges import RangeNotSatisfiable, etag_matches, parse_range


class ResultDownloads:
    """Answers ``GET .../result`` from the result store."""

    def __init__(self, store: ResultStore) -> None:
        self._store = store

    async def response(
        self, request: Request[Any, Any, Any], result: StoredResult
    ) -> Response[Any] | Stream:
        """The file for a job whose result may be downloaded."""
        return await _download_response(request, result, self._store)


async def _download_response(
    request: Request[Any, Any, Any], result: StoredResult, store: ResultStore
) -> Response[Any] | Stream:
    etag = f'"{result.sha256}"'
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, no-cache",
    }
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(b"", status_code=HTTP_304_NOT_MODIFIED, headers=headers)
    if not await store.exists(result.key):
        raise ResultExpired()
    wanted = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if if_range is not None and if_range.strip() != etag:
        wanted = None
    try:
        byte_range = parse_range(wanted, result.size_bytes)
    except RangeNotSatisfiable:
        return error_response(
            HTTP_416_REQUESTED_RANGE_NOT_SATISFIABLE,
            "The requested range lies outside the file.",
            {"Content-Range": f"bytes */{result.size_bytes}"},
        )
    headers["Content-Disposition"] = f'attachment; filename="{result.file_name}"'
    if byte_range is None:
        headers["Content-Length"] = str(result.size_bytes)
        return Stream(
            _chunks(store, result.key, 0, None), media_type=result.content_type, headers=headers
        )
    headers["Content-Length"] = str(byte_range.length)
    headers["Content-Range"] = byte_range.content_range(result.size_bytes)
    return Stream(
        _chunks(store, result.key, byte_range.start, byte_range.end),
        media_type=result.content_type,
        headers=headers,
        status_code=HTTP_206_PARTIAL_CONTENT,
    )


async def _chunks(
    store: ResultStore, key: str, start: int, end: int | None
) -> AsyncIterator[bytes]:
    async for chunk in store.read(key, start, end):
        yield chunk
