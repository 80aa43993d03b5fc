"""A time limit on each step of a report query on a SQLite connection, and a way to stop it."""

import sqlite3
import time

from application.common.errors import ReportLimitExceeded

#: SQL text with ``?`` placeholders, and its values in order.
Statement = tuple[str, list[object]]
#: SQLite asks whether to go on every this many virtual machine instructions (well under a
#: millisecond of work), so a query stops promptly without costing anything noticeable.
_CHECK_EVERY = 100_000


class SqliteQueryWatch:
    """Interrupts the connection's statement when a step (``step_started``: executing it,
    one fetch) outlasts ``timeout_seconds``, or once ``stop`` was called from any thread.

    SQLite's progress handler is asked every few thousand instructions, so a query that
    computes for ever without returning a row (a recursive CTE, a cross join) stops too.
    """

    def __init__(self, connection: sqlite3.Connection, timeout_seconds: float | None) -> None:
        self._timeout = timeout_seconds
        self._deadline = float("inf")
        self.timed_out = False
        self._stopped = False
        connection.set_progress_handler(self._should_stop, _CHECK_EVERY)

    def step_started(self) -> None:
        """A step of the query starts now: it may run for ``timeout_seconds``."""
        if self._timeout is not None:
            self._deadline = time.monotonic() + self._timeout

    def stop(self) -> None:
        """Interrupt the query at its next check (thread-safe: one flag)."""
        self._stopped = True

    def limit_error(self) -> ReportLimitExceeded | None:
        """The error to raise for an interrupted step, if the time limit interrupted it."""
        if not self.timed_out:
            return None
        return ReportLimitExceeded(f"The report query ran longer than {self._timeout:g} s.")

    def _should_stop(self) -> bool:
        if time.monotonic() > self._deadline:
            self.timed_out = True
        return self._stopped or self.timed_out
