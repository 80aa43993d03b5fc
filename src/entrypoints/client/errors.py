"""What the client raises: every failure is a ``ReportgenError`` with a status and a message."""


class ReportgenError(Exception):
    """The service refused (``status`` is the HTTP status, ``message`` its ``error``).

    ``status`` is 0 when no HTTP answer is the cause (see the subclasses).
    ``retry_after`` holds the answer's ``Retry-After`` seconds, if it sent one.
    """

    def __init__(self, status: int, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.status}, {self.message!r})"


class ServerUnreachable(ReportgenError):
    """No answer: the server could not be reached or the connection broke."""

    def __init__(self, message: str) -> None:
        super().__init__(0, message)


class TimedOut(ReportgenError):
    """The server did not answer in time, or the job did not end within ``wait``'s timeout."""

    def __init__(self, message: str) -> None:
        super().__init__(0, message)


class ChecksumMismatch(ReportgenError):
    """The downloaded file's SHA-256 is not the job's: nothing was kept."""

    def __init__(self, expected: str, actual: str) -> None:
        super().__init__(0, f"The downloaded file's SHA-256 is {actual}, not {expected}.")
        self.expected = expected
        self.actual = actual
