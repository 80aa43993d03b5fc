"""Absolute URLs the API hands out: from ``REPORTGEN_PUBLIC_BASE_URL`` or the request."""

from typing import Any
from urllib.parse import urlencode

from litestar import Request


class LinkBuilder:
    """Builds the absolute URLs of jobs for the answers of the API."""

    def __init__(self, public_base_url: str | None) -> None:
        self._public_base_url = public_base_url

    def base(self, request: Request[Any, Any, Any]) -> str:
        """The configured public base URL, else the request's own scheme and host."""
        if self._public_base_url:
            return self._public_base_url
        return str(request.base_url).rstrip("/")

    def next_page(
        self, request: Request[Any, Any, Any], path: str, cursor: str | None
    ) -> str | None:
        """The absolute URL of the next page of a list at ``path`` (same query, new
        ``cursor``), or ``None`` on the last page."""
        if cursor is None:
            return None
        params = dict(request.query_params) | {"cursor": cursor}
        return f"{self.base(request)}{path}?{urlencode(params)}"

    def job_status(self, request: Request[Any, Any, Any], job_id: str) -> str:
        """The absolute URL of ``GET /api/v1/jobs/{jobId}``."""
        return f"{self.base(request)}/api/v1/jobs/{job_id}"
