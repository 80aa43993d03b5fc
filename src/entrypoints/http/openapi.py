"""The OpenAPI document: its config and the documented error answers, with examples."""

from litestar import Litestar
from litestar.openapi import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, Example, RequestBody, SecurityScheme

from entrypoints.http.schemas import ErrorBody

GENERATE_PATH = "/api/v1/reports/{report_id}/generate"


def _error(description: str, message: str, *others: tuple[str, str]) -> ResponseSpec:
    """An error answer; ``others`` are more ``(summary, message)`` examples of the status."""
    examples = [(description, message), *others]
    return ResponseSpec(
        data_container=ErrorBody,
        description=description,
        generate_examples=False,
        examples=[Example(summary=summary, value={"error": text}) for summary, text in examples],
    )


GENERATE_ERROR_RESPONSES = {
    400: _error(
        "The body is not JSON or not an object of this shape, or the Idempotency-Key header "
        "is not 1 to 255 printable ASCII characters",
        "The request body is not valid: malformed JSON",
        (
            "A malformed Idempotency-Key",
            "The Idempotency-Key header must be 1 to 255 printable ASCII characters "
            "(got 300 characters).",
        ),
    ),
    401: _error(
        "No token, or a token that is malformed, expired or wrongly signed",
        "The token has expired.",
    ),
    403: _error(
        "The token lacks the scope or a role this report needs",
        "The token lacks the 'reports:generate' scope.",
    ),
    404: _error("No report has this id", "Report 'non-existent-report' was not found."),
    409: _error(
        "The report has no asynchronous API Response delivery, or the first request with this "
        "Idempotency-Key is still being processed (retry after Retry-After seconds)",
        "Report is not configured for asynchronous generation.",
        (
            "The first request with this Idempotency-Key is still being processed",
            "A request with this Idempotency-Key is still being processed; retry it in a "
            "moment to get its job.",
        ),
    ),
    413: _error("The body is larger than 64 KiB", "Request Entity Too Large"),
    422: _error(
        "The parameters or the format do not fit the report, or the Idempotency-Key was used "
        "for another request of this report within 24 hours",
        "Unknown parameter 'country'.",
        (
            "The Idempotency-Key stands for another request",
            "This Idempotency-Key was already used for a different request of this report "
            "(other parameters or format); send a new key for a new request.",
        ),
    ),
    429: _error(
        "The caller created too many jobs in the last minute, or has too many queued or "
        "running; nothing was created. Retry after Retry-After seconds",
        "Too many reports requested: at most 600 a minute per caller.",
        (
            "Too many unfinished jobs",
            "Too many unfinished jobs: at most 1000 queued or running per caller. Wait for "
            "one to finish, or cancel one.",
        ),
    ),
    503: _error(
        "The database or the job queue did not answer; retry after Retry-After seconds",
        "The job queue is not answering. Try again later.",
    ),
}

_UNAUTHORIZED = _error("No valid token", "A bearer token is required.")
_FORBIDDEN = _error(
    "The token lacks the reports:generate scope", "The token lacks the 'reports:generate' scope."
)
_NO_JOB = _error(
    "No job with this id is visible to the caller (others' jobs answer alike)", "Job not found."
)

JOB_ERROR_RESPONSES = {
    401: _UNAUTHORIZED,
    403: _FORBIDDEN,
    404: _NO_JOB,
    409: _error(
        "Cancel only: the job has already finished", "The job has already finished (Succeeded)."
    ),
}
RESULT_ERROR_RESPONSES = {
    206: ResponseSpec(
        None,
        description="The requested byte range (`Content-Range`)",
        media_type="application/octet-stream",
    ),
    304: ResponseSpec(None, description="`If-None-Match` names the file's ETag: not modified"),
    401: _UNAUTHORIZED,
    403: _FORBIDDEN,
    404: _NO_JOB,
    409: _error(
        "The job has not finished, failed or was cancelled",
        "The job has not finished yet (Running).",
    ),
    410: _error("The result expired and was deleted", "The result of this job has expired."),
    416: _error("The range lies outside the file", "The requested range lies outside the file."),
}
REPORT_ERROR_RESPONSES = {
    401: _UNAUTHORIZED,
    404: _error(
        "No report with this id is visible to the caller", "Report 'report-999' was not found."
    ),
}
REPORT_ADMIN_ERROR_RESPONSES = {
    400: _error("The body is not a report document", "The request body is not valid: ..."),
    401: _UNAUTHORIZED,
    403: _error(
        "The token lacks the reports:admin scope", "The token lacks the 'reports:admin' scope."
    ),
    404: _error("No report has this id", "Report 'report-999' was not found."),
    409: _error("Create: the id is taken", "A report with id 'report-123' already exists."),
    412: _error(
        "If-Match names a version that is no longer current",
        "The report has changed since you read it (now version 3); read it again and retry.",
    ),
    422: _error(
        "A rule of report configurations is broken; the error names the field",
        "deliveryTargets[0].mode: An api_response target needs a mode: async or sync.",
    ),
    428: _error(
        "Replace and delete need If-Match",
        "Send If-Match with the report's ETag to change or delete it.",
    ),
}
LIST_ERROR_RESPONSES = {
    400: _error(
        "A filter, the cursor or the limit is not valid",
        "'status' must be one of: Queued, Running, Succeeded, Failed, Cancelled.",
    ),
    401: _UNAUTHORIZED,
    403: _FORBIDDEN,
}


def openapi_config(version: str) -> OpenAPIConfig:
    """OpenAPI at ``/schema/openapi.json``, Swagger UI at ``/schema/swagger``."""
    return OpenAPIConfig(
        title="reportgen",
        version=version,
        description="Asynchronous report generation: ask, get a job id, poll, download.",
        path="/schema",
        render_plugins=[SwaggerRenderPlugin()],
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


def mark_generate_body_optional(app: Litestar) -> None:
    """The generate body may be left out: say so (Litestar marks every body required)."""
    path = app.openapi_schema.paths and app.openapi_schema.paths.get(GENERATE_PATH)
    if path and path.post and isinstance(path.post.request_body, RequestBody):
        path.post.request_body.required = False
