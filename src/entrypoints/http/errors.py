"""One exception map: domain, port and framework errors become JSON ``{"error": ...}`` answers."""

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_410_GONE,
    HTTP_412_PRECONDITION_FAILED,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_428_PRECONDITION_REQUIRED,
    HTTP_429_TOO_MANY_REQUESTS,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)

from application.common.errors import AuthenticationFailed, ServiceUnavailable
from domain.errors import (
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    InvalidParameterRange,
    InvalidReportConfiguration,
    InvalidReportRequest,
    JobAlreadyFinished,
    JobNotFound,
    JobNotReady,
    PermissionDenied,
    ReportAlreadyExists,
    ReportNotAsynchronous,
    ReportNotFound,
    ResultExpired,
    StaleReportVersion,
    TooManyJobs,
    VersionRequired,
)
from entrypoints.http.client_gone import CLIENT_CLOSED_REQUEST, ClientGone
from entrypoints.http.holds import TooManyHeldRequests
from entrypoints.http.idempotency import InvalidIdempotencyKey
from entrypoints.http.job_bodies import InvalidQuery
from entrypoints.http.schemas import ErrorBody
from entrypoints.http.versions import InvalidPrecondition

logger = logging.getLogger(__name__)
REALM = 'Bearer realm="reportgen"'
_SNAKE = re.compile(r"_([a-z0-9])")

Handler = Callable[[Request[Any, Any, Any], Any], Response[ErrorBody]]


def error_response(
    status: int, message: str, headers: Mapping[str, str] | None = None
) -> Response[ErrorBody]:
    """A JSON error answer."""
    return Response(ErrorBody(message), status_code=status, headers=dict(headers or {}))


def _authentication(_: Request[Any, Any, Any], exc: AuthenticationFailed) -> Response[ErrorBody]:
    challenge = REALM
    if exc.credentials_present:
        challenge += f', error="invalid_token", error_description="{exc.message}"'
    return error_response(HTTP_401_UNAUTHORIZED, exc.message, {"WWW-Authenticate": challenge})


def _unavailable(_: Request[Any, Any, Any], exc: ServiceUnavailable) -> Response[ErrorBody]:
    cause = exc.__cause__
    detail = f"{type(cause).__name__}: {str(cause)[:300]}" if cause else "no cause"
    logger.warning("Service unavailable: %s (%s)", exc.message, detail)
    return error_response(
        HTTP_503_SERVICE_UNAVAILABLE,
        f"{exc.message} Try again later.",
        {"Retry-After": str(exc.retry_after_seconds)},
    )


def _status(status: int) -> Handler:
    def handle(_: Request[Any, Any, Any], exc: Any) -> Response[ErrorBody]:
        return error_response(status, exc.message)

    return handle


def _retry_later(status: int) -> Handler:
    def handle(_: Request[Any, Any, Any], exc: Any) -> Response[ErrorBody]:
        return error_response(status, exc.message, {"Retry-After": str(exc.retry_after_seconds)})

    return handle


def wire_field(field: str) -> str:
    """The API's name of a field the domain names: ``delivery_targets[0].mode`` is
    ``deliveryTargets[0].mode`` on the wire (camelCase, as every JSON field)."""
    return _SNAKE.sub(lambda match: match.group(1).upper(), field)


def _invalid_configuration(
    _: Request[Any, Any, Any], exc: InvalidReportConfiguration
) -> Response[ErrorBody]:
    message = f"{wire_field(exc.field)}: {exc.message}"
    return error_response(HTTP_422_UNPROCESSABLE_ENTITY, message)


def _plain(status: int) -> Handler:
    def handle(_: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
        return error_response(status, str(exc))

    return handle


def _validation(_: Request[Any, Any, Any], exc: ValidationException) -> Response[ErrorBody]:
    details = [item for item in exc.extra or [] if isinstance(item, dict)]
    first = details[0] if details else {}
    reason = first.get("message") or exc.detail
    source, key = first.get("source", "body"), first.get("key")
    source = str(getattr(source, "value", source))  # Litestar's ``ParamType`` member
    what = f"The {source} parameter '{key}'" if source != "body" and key else "The request body"
    return error_response(exc.status_code, f"{what} is not valid: {reason}")


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorBody]:
    message = exc.detail
    if isinstance(exc.__cause__, SerializationException):  # the body is not JSON at all
        message = "The request body is not valid JSON."
    if exc.status_code == HTTP_413_REQUEST_ENTITY_TOO_LARGE:
        limit = request.route_handler.resolve_request_max_body_size()
        message = f"The request body is larger than {limit // 1024} KiB." if limit else message
    return error_response(exc.status_code, message, exc.headers)


def _unexpected(_: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    logger.exception("Unhandled error", exc_info=exc)
    return error_response(HTTP_500_INTERNAL_SERVER_ERROR, "Internal server error.")


EXCEPTION_HANDLERS: dict[type[Exception], Handler] = {
    AuthenticationFailed: _authentication,
    PermissionDenied: _status(HTTP_403_FORBIDDEN),
    ReportNotFound: _status(HTTP_404_NOT_FOUND),
    ReportNotAsynchronous: _status(HTTP_409_CONFLICT),
    InvalidReportRequest: _status(HTTP_422_UNPROCESSABLE_ENTITY),
    InvalidParameterRange: _status(HTTP_400_BAD_REQUEST),
    InvalidReportConfiguration: _invalid_configuration,
    ReportAlreadyExists: _status(HTTP_409_CONFLICT),
    StaleReportVersion: _status(HTTP_412_PRECONDITION_FAILED),
    VersionRequired: _status(HTTP_428_PRECONDITION_REQUIRED),
    JobNotFound: _status(HTTP_404_NOT_FOUND),
    JobNotReady: _status(HTTP_409_CONFLICT),
    JobAlreadyFinished: _status(HTTP_409_CONFLICT),
    ResultExpired: _status(HTTP_410_GONE),
    IdempotencyKeyReused: _status(HTTP_422_UNPROCESSABLE_ENTITY),
    IdempotencyKeyInFlight: _retry_later(HTTP_409_CONFLICT),
    TooManyJobs: _retry_later(HTTP_429_TOO_MANY_REQUESTS),
    TooManyHeldRequests: _retry_later(HTTP_429_TOO_MANY_REQUESTS),
    ClientGone: _status(CLIENT_CLOSED_REQUEST),
    InvalidIdempotencyKey: _plain(HTTP_400_BAD_REQUEST),
    InvalidQuery: _plain(HTTP_400_BAD_REQUEST),
    InvalidPrecondition: _plain(HTTP_400_BAD_REQUEST),
    ServiceUnavailable: _unavailable,
    ValidationException: _validation,
    HTTPException: _http,
    Exception: _unexpected,
}
