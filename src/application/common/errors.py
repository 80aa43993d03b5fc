"""Errors the ports raise: what went wrong outside, in the use cases' words.

Adapters translate their technology's exceptions into these at their border.
"""


class AuthenticationFailed(Exception):
    """No credentials, or credentials that cannot be trusted (RFC 6750 ``invalid_token``)."""

    def __init__(self, message: str, *, credentials_present: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.credentials_present = credentials_present


class ServiceUnavailable(Exception):
    """A part the service depends on does not answer; the client may retry later."""

    retry_after_seconds = 5

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StorageUnavailable(ServiceUnavailable):
    """The database did not accept or answer the work in time."""


class SchedulerUnavailable(ServiceUnavailable):
    """The job scheduler (the queue) did not accept the job in time."""


class DataSourceUnavailable(ServiceUnavailable):
    """A report's data source did not answer; the job is tried again later."""


class ResultStoreUnavailable(ServiceUnavailable):
    """The result store did not accept or return a file; tried again later."""


class ReportQueryFailed(Exception):
    """The data source refused the report's query or its parameters: retrying won't help.

    The message is safe to show a client: no SQL, no connection URL, no database
    text; ``detail`` (the database's own words, for the logs and for an
    administrator checking a query) may hold them.
    """

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class ReportLimitExceeded(ReportQueryFailed):
    """A run of a report went past one of its limits (time, rows, bytes); the message
    names the limit. Running it again would go past it again."""


class UnsafeDataSource(ReportQueryFailed):
    """The data source's login may do more than read (a superuser, the server's files)."""

    def __init__(self, data_source: str, why: str) -> None:
        super().__init__(f"The data source '{data_source}' {why}.")
        self.data_source = data_source


class UnknownDataSource(ReportQueryFailed):
    """The report names a data source the operator did not declare."""

    def __init__(self, data_source: str) -> None:
        super().__init__(f"Data source '{data_source}' is not configured.")
        self.data_source = data_source


class JobAlreadyQueued(Exception):
    """The scheduler already holds a job under this id (queued, running or just finished)."""


class ResultMissing(Exception):
    """The result store keeps no file under this key (deleted, or never stored)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"No result file is kept under {key[:80]!r}.")
        self.key = key
