"""Streaming a result file: whole, a range of it, or not at all (304); HEAD gives the same
answer without its body."""

from dataclasses import dataclass
from typing import Any

from litestar import Response
from litestar.response import Stream
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_206_PARTIAL_CONTENT,
    HTTP_304_NOT_MODIFIED,
    HTTP_416_REQUESTED_RANGE_NOT_SATISFIABLE,
)

from application.jobs.download_result import ResultDownload
from entrypoints.http.errors import error_response
from entrypoints.http.ranges import RangeNotSatisfiable, etag_matches, parse_range


@dataclass(frozen=True, slots=True)
class DownloadConditions:
    """The request headers a download honours: ``If-None-Match``, ``Range``, ``If-Range``."""

    if_none_match: str | None = None
    range: str | None = None
    if_range: str | None = None


_Whole = tuple[int, dict[str, str], int, int | None]  # status, headers, first and last byte


class ResultDownloads:
    """Answers ``GET`` and ``HEAD .../result`` for a file the download use case handed out."""

    def response(
        self, download: ResultDownload, conditions: DownloadConditions
    ) -> Response[Any] | Stream:
        """The file, whole or the range asked for, honouring ``conditions``."""
        answer = self._answer(download, conditions)
        if isinstance(answer, Response):
            return answer
        status, headers, start, end = answer
        media_type = download.result.content_type
        chunks = download.chunks(start, end)
        return Stream(chunks, media_type=media_type, headers=headers, status_code=status)

    def head(self, download: ResultDownload, conditions: DownloadConditions) -> Response[Any]:
        """What ``response`` answers, its status and headers, without the body."""
        answer = self._answer(download, conditions)
        if isinstance(answer, Response):
            return answer
        status, headers, _, _ = answer
        return Response(b"", status_code=status, headers=headers)

    def _answer(
        self, download: ResultDownload, conditions: DownloadConditions
    ) -> Response[Any] | _Whole:
        result = download.result
        etag = f'"{result.sha256}"'
        headers = {
            "ETag": etag,
            "Accept-Ranges": "bytes",
            "Cache-Control": "private, no-cache",
        }
        if etag_matches(conditions.if_none_match, etag):
            return Response(b"", status_code=HTTP_304_NOT_MODIFIED, headers=headers)
        wanted = conditions.range
        if conditions.if_range is not None and conditions.if_range.strip() != etag:
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
            return HTTP_200_OK, headers, 0, None
        headers["Content-Length"] = str(byte_range.length)
        headers["Content-Range"] = byte_range.content_range(result.size_bytes)
        return HTTP_206_PARTIAL_CONTENT, headers, byte_range.start, byte_range.end
