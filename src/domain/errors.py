"""Domain errors: the business rules a request can break."""


class DomainError(Exception):
    """Base of every rule the domain enforces; the message is safe to show a client."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ReportNotFound(DomainError):
    """No report configuration has that id (or the caller may not see it)."""

    def __init__(self, report_id: str) -> None:
        super().__init__(f"Report '{report_id}' was not found.")
        self.report_id = report_id


class ReportNotAsynchronous(DomainError):
    """BR-001: the report has no API Response delivery target in asynchronous mode."""

    def __init__(self) -> None:
        super().__init__("Report is not configured for asynchronous generation.")


class PermissionDenied(DomainError):
    """The caller is authenticated but may not do this."""


class InvalidReportRequest(DomainError):
    """The parameters or the format of a generate request do not fit the report."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidParameterRange(InvalidReportRequest):
    """The start of a date range the report declares comes after its end."""

    def __init__(self, message: str, first: str, last: str) -> None:
        super().__init__(message, field=f"parameters.{first}")
        self.first = first
        self.last = last


class InvalidJobTransition(DomainError):
    """A job was asked to move to a status its current status does not lead to."""


class JobNotFound(DomainError):
    """No job has that id, or the caller may not see it (the two answer alike)."""

    def __init__(self) -> None:
        super().__init__("Job not found.")


class JobNotReady(DomainError):
    """The job's result cannot be downloaded (yet, or ever); the message says why."""


class JobAlreadyFinished(DomainError):
    """A finished job cannot be cancelled."""


class ResultExpired(DomainError):
    """The job succeeded, but its result has expired and was deleted."""

    def __init__(self) -> None:
        super().__init__("The result of this job has expired.")


class InvalidReportConfiguration(DomainError):
    """A report configuration breaks a rule; ``field`` names the part at fault, in the
    domain's terms (``delivery_targets[0].mode``)."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class ReportAlreadyExists(DomainError):
    """A new report's id is taken."""

    def __init__(self, report_id: str) -> None:
        super().__init__(f"A report with id '{report_id}' already exists.")


class StaleReportVersion(DomainError):
    """The caller changed a report from a version that is no longer the current one."""

    def __init__(self, current: int | None) -> None:
        now = f" (now version {current})" if current is not None else ""
        super().__init__(f"The report has changed since you read it{now}; read it again and retry.")
        self.current = current


class VersionRequired(DomainError):
    """Changing or deleting a report needs the version it was read at (``If-Match``)."""

    def __init__(self) -> None:
        super().__init__("Send If-Match with the report's ETag to change or delete it.")


class IdempotencyKeyReused(DomainError):
    """An ``Idempotency-Key`` already stands for a different request of this report."""

    def __init__(self) -> None:
        super().__init__(
            "This Idempotency-Key was already used for a different request of this report "
            "(other parameters or format); send a new key for a new request."
        )


class IdempotencyKeyInFlight(DomainError):
    """The first request with this ``Idempotency-Key`` has not been answered yet."""

    retry_after_seconds = 1

    def __init__(self) -> None:
        super().__init__(
            "A request with this Idempotency-Key is still being processed; "
            "retry it in a moment to get its job."
        )


class TooManyJobs(DomainError):
    """The caller reached one of its limits; ``retry_after_seconds`` estimates when it
    may ask again."""

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class CallbackRefused(InvalidReportRequest):
    """The ``callbackUrl`` of a generate cannot be used: webhooks are off, the URL is
    malformed, or its host is not on the operator's allow-list."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="callbackUrl")
