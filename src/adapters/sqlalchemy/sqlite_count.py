"""A report query's rows counted on a SQLite connection and a thread of their own, so the
rows stream at once: counting runs inside SQLite, without Python's lock, beside them."""

import sqlite3
import threading
import time
from collections.abc import Callable

#: SQL text with ``?`` placeholders, and its values in order.
Statement = tuple[str, list[object]]
#: SQLite asks whether to go on every this many virtual machine instructions (well under a
#: millisecond of work), so a count stops promptly without costing anything noticeable.
_CHECK_EVERY = 100_000


class SqliteRowCount:
    """Counts in the background; ``value`` is ``None`` until the count is known, and stays
    ``None`` if it fails, outlasts ``timeout_seconds`` or is stopped."""

    def __init__(
        self, connect: Callable[[], sqlite3.Connection], count: Statement, timeout_seconds: float
    ) -> None:
        self.value: int | None = None
        self._stopped = False
        self._deadline = time.monotonic() + timeout_seconds
        self._thread = threading.Thread(
            target=self._run, args=(connect, count), name="reportgen-sqlite-count", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the count if it still runs and wait for its thread (blocking, briefly)."""
        self._stopped = True
        self._thread.join()

    def _run(self, connect: Callable[[], sqlite3.Connection], count: Statement) -> None:
        try:
            connection = connect()
        except sqlite3.Error:
            return  # the query's own connection reports why the data source is unavailable
        try:
            connection.set_progress_handler(self._should_stop, _CHECK_EVERY)
            self.value = int(connection.execute(*count).fetchone()[0])
        except sqlite3.Error:
            pass  # the count is a nicety: the query itself reports its own errors
        finally:
            connection.close()

    def _should_stop(self) -> bool:
        return self._stopped or time.monotonic() > self._deadline
