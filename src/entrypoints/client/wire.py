"""The requests of the API and the reading of its answers, shared by both clients."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import msgspec

from entrypoints.client.errors import ReportgenError, ServerUnreachable, TimedOut
from entrypoints.client.models import Job

T = TypeVar("T")
API = "/api/v1"
PAGE_SIZE_CEILING = 100  # the API's largest page


def job_path(job_id: str, tail: str = "") -> str:
    """``/api/v1/jobs/{jobId}`` and what follows it."""
    return f"{API}/jobs/{quote(job_id, safe='')}{tail}"


def report_path(report_id: str, tail: str = "") -> str:
    """``/api/v1/reports/{reportId}`` and what follows it."""
    return f"{API}/reports/{quote(report_id, safe='')}{tail}"


def client_headers(token: str) -> dict[str, str]:
    """What every request carries."""
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}


def generate_request(
    http: httpx.Client | httpx.AsyncClient,
    report_id: str,
    parameters: Mapping[str, Any] | None,
    format: str | None,
    idempotency_key: str | None,
    callback_url: str | None = None,
) -> httpx.Request:
    """``POST .../generate`` with only the parts the caller gave."""
    body: dict[str, Any] = {}
    if parameters:
        body["parameters"] = dict(parameters)
    if format:
        body["format"] = format
    if callback_url:
        body["callbackUrl"] = callback_url
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    return http.build_request(
        "POST", report_path(report_id, "/generate"), json=body or None, headers=headers
    )


def jobs_query(status: str | None, report_id: str | None, page_size: int) -> dict[str, str]:
    """The query of ``GET /api/v1/jobs``."""
    query = {"limit": str(page_size)}
    if status:
        query["status"] = status
    if report_id:
        query["reportId"] = report_id
    return query


def page_size(limit: int | None) -> int:
    """The size of the pages to ask for, to list at most ``limit`` items."""
    return PAGE_SIZE_CEILING if limit is None else max(1, min(limit, PAGE_SIZE_CEILING))


def next_request(http: httpx.Client | httpx.AsyncClient, next_url: str) -> httpx.Request:
    """The request for a ``next`` link, sent to this client's own base URL."""
    url = httpx.URL(next_url)
    return http.build_request("GET", url.path, params=url.params)


def error_from(response: httpx.Response) -> ReportgenError:
    """The ``ReportgenError`` of an error answer (its body must have been read)."""
    message = f"HTTP {response.status_code} {response.reason_phrase}".strip()
    try:
        body = msgspec.json.decode(response.content)
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            message = body["error"]
    except msgspec.DecodeError:
        pass
    return ReportgenError(response.status_code, message, retry_after(response))


def retry_after(response: httpx.Response) -> float | None:
    """The answer's ``Retry-After`` in seconds (only the delay form), if any."""
    try:
        return max(0.0, float(response.headers["retry-after"]))
    except (KeyError, ValueError):
        return None


def answer(response: httpx.Response, kind: type[T]) -> T:
    """The body of a successful answer as ``kind``; ``ReportgenError`` for an error."""
    if response.is_error:
        raise error_from(response)
    try:
        return msgspec.json.decode(response.content, type=kind)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ReportgenError(response.status_code, f"Unexpected answer: {exc}") from exc


def job_of(data: str) -> Job:
    """The job in an event's data."""
    try:
        return msgspec.json.decode(data, type=Job)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ReportgenError(200, f"Unexpected event: {exc}") from exc


@contextmanager
def transport_errors(base_url: httpx.URL) -> Iterator[None]:
    """httpx's transport failures, as ``ServerUnreachable`` and ``TimedOut``."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise TimedOut(f"{base_url} did not answer in time ({type(exc).__name__}).") from exc
    except httpx.TransportError as exc:
        raise unreachable(base_url, exc) from exc


def unreachable(base_url: httpx.URL, error: httpx.TransportError) -> ServerUnreachable:
    """``ServerUnreachable`` for ``error``, saying why."""
    return ServerUnreachable(f"Cannot reach {base_url}: {str(error) or type(error).__name__}")


EVENT_HEADERS = {"Accept": "text/event-stream", "Cache-Control": "no-store"}


def has_no_events(response: httpx.Response) -> bool:
    """An event stream request the server has no route for (the job is known to exist)."""
    return response.status_code in (404, 405)


def is_refusal(response: httpx.Response) -> bool:
    """A 4xx answer but 429: the request itself is refused, trying again will not help."""
    return 400 <= response.status_code < 500 and not is_busy(response)


def is_busy(response: httpx.Response) -> bool:
    """429 or 503: the service asks to come back later (``Retry-After``)."""
    return response.status_code in (429, 503)


def stream_timeout(timeout: float, remaining: float | None) -> httpx.Timeout:
    """An event stream's timeouts: a read gives up at the deadline at the latest."""
    read = timeout if remaining is None else max(0.1, min(timeout, remaining))
    return httpx.Timeout(timeout, read=read)
