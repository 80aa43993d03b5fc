"""Streaming a result file: whole, a range of it, or not at all (304)."""

from typing import Any

from litestar import Request, Response
from litestar.response import Stream
from litestar.status_codes import (
    HTTP_206_PARTIAL_CONTENT,
    HTTP_304_NOT_MODIFIED,
    HTTP_416_REQUESTED_RANGE_NOT_SATISFIABLE,
)

from application.jobs.download_result import ResultDownload
from entrypoints.http.errors import error_response
from entrypoints.http.ranges import RangeNotSatisfiable, etag_matches, parse_range


class ResultDownloads:
    """Answers ``GET .../result`` for a file the download use case handed out."""

    def response(
        self, request: Request[Any, Any, Any], download: ResultDownload
    ) -> Response[Any] | Stream:
        """The file, honouring ``If-None-Match``, ``Range`` and ``If-Range``."""
        result = download.result
        etag = f'"{result.sha256}"'
        headers = {
            "ETag": etag,
            "Accept-Ranges": "bytes",
            "Cache-Control": "private, no-cache",
        }
        if etag_matches(request.headers.get("if-none-match"), etag):
            return Response(b"", status_code=HTTP_304_NOT_MODIFIED, headers=headers)
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
        # As stored, whole: Litestar would add a second "; charset=" to a text/ type.
        headers["Content-Type"] = result.content_type
        if byte_range is None:
            headers["Content-Length"] = str(result.size_bytes)
            return Stream(download.chunks(), media_type=result.content_type, headers=headers)
        headers["Content-Length"] = str(byte_range.length)
        headers["Content-Range"] = byte_range.content_range(result.size_bytes)
        return Stream(
            download.chunks(byte_range.start, byte_range.end),
            media_type=result.content_type,
            headers=headers,
            status_code=HTTP_206_PARTIAL_CONTENT,
        )
