"""The document as a whole: its config, and the finishing pass that makes it tell the truth.

Litestar describes an operation from its handler: it adds a 400 of its own shape to any
operation with parameters, and calls every answer JSON. ``finish`` keeps for each operation
the answers its handler names (``entrypoints.http.openapi``), and describes what a handler
cannot: the report files, the Prometheus text, the headers every error of a kind carries.
"""

from litestar import Litestar
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import (
    Components,
    OpenAPIFormat,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
    SecurityScheme,
)
from litestar.routes import HTTPRoute

from entrypoints.http.openapi_refusals import add_server_refusals
from entrypoints.http.request_ids import HEADER as REQUEST_ID_HEADER
from entrypoints.http.swagger_ui import swagger_render_plugin

GENERATE_PATH = "/api/v1/reports/{report_id}/generate"
RESULT_PATH = "/api/v1/jobs/{job_id}/result"
METRICS_PATH = "/metrics"
#: The media types of the report formats, as the result store keeps them.
REPORT_FILE_TYPES = {
    "text/csv": "CSV (RFC 4180, UTF-8): a header row, then one record per row",
    "application/json": "JSON: an array of objects keyed by the column names",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "An Excel workbook",
}
_JSON_ROWS = Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.OBJECT))
_BYTES = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
_TEXT = Schema(type=OpenAPIType.STRING)
#: The header every answer carries.
_REQUEST_ID = OpenAPIHeader(
    schema=Schema(type=OpenAPIType.STRING, pattern="^[!-~]{1,128}$"),
    description="The request's own `X-Request-ID` when it sent a sane one (1 to 128 "
    "printable ASCII characters, no space), else a new id; the logs carry it.",
    required=True,
)
#: Headers every answer of a status carries, on the routes under ``/api/v1``.
_ERROR_HEADERS = {
    "401": ("WWW-Authenticate", 'The RFC 6750 challenge: `Bearer realm="reportgen"`, ...'),
    "429": ("Retry-After", "Seconds to wait before a new job of the caller may be admitted."),
    "503": ("Retry-After", "Seconds to wait before trying again."),
}


def openapi_config(version: str) -> OpenAPIConfig:
    """OpenAPI at ``/schema/openapi.json``, Swagger UI at ``/schema/swagger``."""
    return OpenAPIConfig(
        title="reportgen",
        version=version,
        description="Asynchronous report generation: ask, get a job id, poll, download.",
        path="/schema",
        render_plugins=[swagger_render_plugin()],
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="JWT",
                    description="A JWT with `sub`, `exp`, `roles` and `scope` claims.",
                )
            }
        ),
    )


def finish(app: Litestar) -> None:
    """Make ``app``'s document describe the answers its routes really give."""
    paths = app.openapi_schema.paths or {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or (path := route.path_format or "/") not in paths:
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods:
                operation = getattr(paths[path], method.lower(), None)
                if isinstance(operation, Operation) and operation.responses:
                    named = {str(handler.status_code), *map(str, handler.responses or {})}
                    for status in set(operation.responses) - named:
                        del operation.responses[status]
                    if path.startswith("/api/v1/"):
                        _add_error_headers(operation)
                    _finish_answers(operation, has_body=method != "HEAD")
                    add_server_refusals(operation, has_body=method != "HEAD")
    generate = paths[GENERATE_PATH].post
    if generate and isinstance(generate.request_body, RequestBody):
        generate.request_body.required = False  # the body may be left out
    if generate and isinstance(in_flight := (generate.responses or {}).get("409"), OpenAPIResponse):
        in_flight.headers = {
            **(in_flight.headers or {}),
            "Retry-After": OpenAPIHeader(
                schema=_TEXT,
                description="When the first request with this Idempotency-Key is still being "
                "processed: seconds to wait before sending it again.",
                required=False,
            ),
        }
    _describe_files(paths[RESULT_PATH].get)
    _describe_metrics(paths[METRICS_PATH].get)


def _add_error_headers(operation: Operation) -> None:
    for status, (name, description) in _ERROR_HEADERS.items():
        answer = (operation.responses or {}).get(status)
        if isinstance(answer, OpenAPIResponse):
            header = OpenAPIHeader(schema=_TEXT, description=description, required=True)
            answer.headers = {**(answer.headers or {}), name: header}


def _finish_answers(operation: Operation, *, has_body: bool) -> None:
    """Every header gets its schema (text), every answer its request id; no answer to HEAD
    has a body."""
    for answer in (operation.responses or {}).values():
        if isinstance(answer, OpenAPIResponse):
            answer.headers = {**(answer.headers or {}), REQUEST_ID_HEADER: _REQUEST_ID}
            for header in (answer.headers or {}).values():
                if isinstance(header, OpenAPIHeader) and header.schema is None:
                    header.schema = _TEXT
            if not has_body:
                answer.content = None


def _describe_files(operation: Operation | None) -> None:
    """The whole file (200) and a range of it (206): bytes of a report format's media type;
    a whole JSON report is an array of objects."""
    responses = (operation.responses if operation else None) or {}
    whole, part = responses.get("200"), responses.get("206")
    if isinstance(whole, OpenAPIResponse) and isinstance(part, OpenAPIResponse):
        content_range = OpenAPIHeader(
            schema=_TEXT, description="`bytes FIRST-LAST/SIZE`", required=True
        )
        part.headers = {**(whole.headers or {}), "Content-Range": content_range}
    for status in ("200", "206"):
        answer = responses.get(status)
        if isinstance(answer, OpenAPIResponse):
            answer.content = {
                media_type: OpenAPIMediaType(
                    schema=None
                    if status == "206"
                    else (_JSON_ROWS if media_type == "application/json" else _BYTES)
                )
                for media_type in REPORT_FILE_TYPES
            }


def _describe_metrics(operation: Operation | None) -> None:
    answer = (operation.responses or {}).get("200") if operation else None
    if isinstance(answer, OpenAPIResponse):
        answer.description = "The Prometheus text exposition format"
        answer.content = {"text/plain": OpenAPIMediaType(schema=_TEXT)}
