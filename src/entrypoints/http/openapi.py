"""The OpenAPI document: for each operation exactly the answers it can give, each with its
schema and an example. Controllers name their operation's answers from here; ``finish`` then
drops what Litestar adds on its own and describes what it cannot (files, headers, text)."""

from litestar.datastructures import ResponseHeader
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example

from application.jobs.wait_for_job import LONGEST_WAIT
from entrypoints.http.schemas import ErrorBody


def _error(description: str, message: str, *others: tuple[str, str]) -> ResponseSpec:
    """An error answer; ``others`` are more ``(summary, message)`` examples of the status."""
    examples = [(description, message), *others]
    return ResponseSpec(
        data_container=ErrorBody,
        description=description,
        generate_examples=False,
        examples=[Example(summary=summary, value={"error": text}) for summary, text in examples],
    )


def _file(description: str) -> ResponseSpec:
    """A report file; ``finish`` gives it the media types of the report formats."""
    return ResponseSpec(None, description=description)


_UNAUTHORIZED = _error(
    "No token, or one that is malformed, expired, wrongly signed or of an algorithm not allowed",
    "A bearer token is required.",
)
_UNAVAILABLE = _error(
    "The database did not answer in time; retry after `Retry-After` seconds",
    "The database is unavailable (reading). Try again later.",
)
_MAY_NOT_READ_JOBS = _error(
    "The token has neither the reports:generate nor the reports:admin scope",
    "The token lacks the 'reports:generate' scope.",
)
_NO_JOB = _error(
    "No job with this id is visible to the caller (others' jobs answer alike)", "Job not found."
)
_NOT_ADMIN = _error(
    "The token lacks the reports:admin scope", "The token lacks the 'reports:admin' scope."
)
_NO_REPORT = _error("No report has this id", "Report 'report-999' was not found.")
_NO_VISIBLE_REPORT = _error(
    "No report with this id is visible to the caller", "Report 'report-999' was not found."
)
_BAD_LIMIT = _error(
    "A query parameter is not valid (named in the answer)",
    "The query parameter 'limit' is not valid: Expected `int` <= 100",
)
_BAD_IF_MATCH = _error(
    "If-Match is no quoted ETag",
    "If-Match must be the report's ETag as it was sent, quotes included (e.g. '\"2\"'), not '2'.",
)
_STALE = _error(
    "If-Match names a version that is no longer current",
    "The report has changed since you read it (now version 3); read it again and retry.",
)
_VERSION_REQUIRED = _error(
    "If-Match is missing", "Send If-Match with the report's ETag to change or delete it."
)
_INVALID_REPORT = _error(
    "A rule of report configurations is broken; the error names the field",
    "deliveryTargets[0].mode: An api_response target needs a mode: async or sync.",
)
_BAD_REPORT_BODY = _error(
    "The body is not JSON, or not a report document",
    "The request body is not valid: Object missing required field `query`",
)
_REPORT_TOO_LARGE = _error(
    "The body is larger than 256 KiB", "The request body is larger than 256 KiB."
)

GENERATE_ERROR_RESPONSES = {
    400: _error(
        "The body is not JSON or not an object of this shape, or the Idempotency-Key header "
        "is not 1 to 255 printable ASCII characters",
        "The request body is not valid: Object contains unknown field `country`",
        (
            "A malformed Idempotency-Key",
            "The Idempotency-Key header must be 1 to 255 printable ASCII characters "
            "(got 300 characters).",
        ),
    ),
    401: _UNAUTHORIZED,
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
    413: _error("The body is larger than 64 KiB", "The request body is larger than 64 KiB."),
    422: _error(
        "The parameters or the format do not fit the report, the callbackUrl is refused "
        "(webhooks off, a malformed URL, a host not on the allow-list), or the "
        "Idempotency-Key was used for another request of this report within 24 hours",
        "Unknown parameter 'country'.",
        (
            "The callbackUrl's host is not allowed",
            "The callback host 'hooks.example.net' is not on this service's allow-list "
            "(REPORTGEN_WEBHOOK_ALLOWED_HOSTS).",
        ),
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
JOB_STATUS_RESPONSES = {
    401: _UNAUTHORIZED,
    403: _MAY_NOT_READ_JOBS,
    404: _NO_JOB,
    503: _UNAVAILABLE,
}
#: The longest ``?wait=N`` and ``Prefer: wait=N`` (``WaitForJobUseCase``'s bound).
LONGEST_WAIT_SECONDS = int(LONGEST_WAIT.total_seconds())
WAIT_STATUS_RESPONSES = {
    **JOB_STATUS_RESPONSES,
    400: _error("`wait` is not a number of seconds from 0 to 30", "'wait' must be at most 30."),
}
EVENTS_RESPONSES = {
    **JOB_STATUS_RESPONSES,
    204: ResponseSpec(None, description="The job had ended, and `Last-Event-ID` was its end"),
}
CANCEL_RESPONSES = {
    **JOB_STATUS_RESPONSES,
    409: _error("The job has already finished", "The job has already finished (Succeeded)."),
}
LIST_JOBS_RESPONSES = {
    400: _error(
        "A filter, the cursor or the limit is not valid",
        "'status' must be one of: Queued, Running, Succeeded, Failed, Cancelled.",
    ),
    401: _UNAUTHORIZED,
    403: _MAY_NOT_READ_JOBS,
    503: _UNAVAILABLE,
}
RESULT_RESPONSES = {
    206: _file("The byte range `Range` asked for (`Content-Range` says which)"),
    304: ResponseSpec(None, description="`If-None-Match` names the file's ETag: not modified"),
    **JOB_STATUS_RESPONSES,
    409: _error(
        "The job has not finished, failed or was cancelled",
        "The job has not finished yet (Running).",
    ),
    410: _error("The result expired and was deleted", "The result of this job has expired."),
    416: _error("The range lies outside the file", "The requested range lies outside the file."),
}
LIST_REPORTS_RESPONSES = {400: _BAD_LIMIT, 401: _UNAUTHORIZED, 503: _UNAVAILABLE}
GET_REPORT_RESPONSES = {401: _UNAUTHORIZED, 404: _NO_VISIBLE_REPORT, 503: _UNAVAILABLE}
CREATE_REPORT_RESPONSES = {
    400: _BAD_REPORT_BODY,
    401: _UNAUTHORIZED,
    403: _NOT_ADMIN,
    409: _error("The id is taken", "A report with id 'report-123' already exists."),
    413: _REPORT_TOO_LARGE,
    422: _INVALID_REPORT,
    503: _UNAVAILABLE,
}
REPLACE_REPORT_RESPONSES = {
    400: _error(
        "The body is not JSON or not a report document, or If-Match is no quoted ETag",
        "The request body is not valid: Object missing required field `query`",
    ),
    401: _UNAUTHORIZED,
    403: _NOT_ADMIN,
    404: _NO_REPORT,
    412: _STALE,
    413: _REPORT_TOO_LARGE,
    422: _INVALID_REPORT,
    428: _VERSION_REQUIRED,
    503: _UNAVAILABLE,
}
DELETE_REPORT_RESPONSES = {
    400: _BAD_IF_MATCH,
    401: _UNAUTHORIZED,
    403: _NOT_ADMIN,
    404: _NO_REPORT,
    412: _STALE,
    428: _VERSION_REQUIRED,
    503: _UNAVAILABLE,
}
REPORT_HISTORY_RESPONSES = {
    401: _UNAUTHORIZED,
    403: _NOT_ADMIN,
    404: _NO_REPORT,
    503: _UNAVAILABLE,
}


def _header(name: str, description: str, *, required: bool = True) -> ResponseHeader:
    return ResponseHeader(
        name=name, description=description, required=required, documentation_only=True
    )


POLL_HEADERS = [
    _header("Retry-After", "While the job is queued or running: seconds to wait.", required=False)
]
REPORT_VERSION_HEADERS = [_header("ETag", "The report's version, for `If-Match`.")]
RESULT_HEADERS = [
    _header("ETag", "The file's SHA-256, quoted: a strong entity tag."),
    _header("Content-Disposition", '`attachment; filename="..."`'),
    _header("Content-Length", "The file's size in bytes."),
    _header("Accept-Ranges", "`bytes`: one `Range` may be asked for."),
]
