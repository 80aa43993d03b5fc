"""The rows of a report query on a SQLite file, read with the standard library's ``sqlite3``.

SQLAlchemy's asyncio layer over aiosqlite costs two thread hops and a row object
per row; here one thread owns the connection and each batch is read and handed
to the sink (formatted and written) in a single call on it. The connection is
read-only twice over: the file is opened with ``mode=ro`` and ``PRAGMA
query_only`` is on. The rows are counted meanwhile on a second connection
(``SqliteRowCount``), bounded by the data source's timeout; leaving the block
interrupts whatever still runs.
"""

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

from sqlalchemy.engine import make_url

from adapters.sqlalchemy.data_source_errors import translated_errors
from adapters.sqlalchemy.sqlite_count import SqliteRowCount, Statement
from application.common.errors import ReportQueryFailed
from application.reports.ports import RowSink

_T = TypeVar("_T")
#: A batch is read and handed to the sink this many rows at a time, each slice formatted
#: while its values are still in the processor's cache (a few percent faster than whole).
_SLICE_ROWS = 1_000


def sqlite_file(url: str) -> Path | None:
    """The file a plain SQLite URL names (``sqlite+aiosqlite:///path``, no query options);
    ``None`` for any other URL, which SQLAlchemy reads instead."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or parsed.query:
        return None
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


@dataclass(frozen=True, slots=True)
class SqliteRows:
    """A running query's rows (a ``RowSource``), read on the connection's own thread."""

    thread: ThreadPoolExecutor
    cursor: sqlite3.Cursor
    columns: Sequence[str]
    count: SqliteRowCount
    data_source: str
    batch_size: int

    @property
    def total_rows(self) -> int | None:
        """The rows counted beside them as they stream; ``None`` until then, or for good if
        counting failed or outlasted the timeout."""
        return self.count.value

    async def pour(self, sink: RowSink) -> AsyncIterator[int]:
        """Read a batch and write it into ``sink`` (a slice at a time), in one call on the
        connection's thread."""
        loop = asyncio.get_running_loop()
        while written := await loop.run_in_executor(self.thread, self._copy_batch, sink):
            yield written

    def _copy_batch(self, sink: RowSink) -> int:
        copied = 0
        while copied < self.batch_size:
            with translated_errors(self.data_source):
                rows = self.cursor.fetchmany(min(_SLICE_ROWS, self.batch_size - copied))
            if not rows:
                break
            sink.write_rows(rows)  # outside the translation: a full disk is the store's failure
            copied += len(rows)
        return copied


@asynccontextmanager
async def sqlite_rows(
    path: Path,
    statement: Statement,
    count: Statement,
    *,
    data_source: str,
    batch_size: int,
    timeout_seconds: float,
) -> AsyncIterator[SqliteRows]:
    """Run ``statement`` read-only on the SQLite file ``path`` and stream its rows; ``count``
    (its rows counted, beside them) gives ``total_rows``."""
    loop = asyncio.get_running_loop()
    thread = ThreadPoolExecutor(1, thread_name_prefix="reportgen-sqlite")
    connect = partial(_connect, path, timeout_seconds)

    def on_thread(function: Callable[..., _T], *args: object) -> "asyncio.Future[_T]":
        return loop.run_in_executor(thread, function, *args)

    try:
        with translated_errors(data_source):
            connection = await on_thread(connect)
        counting = SqliteRowCount(connect, count, timeout_seconds)
        try:
            with translated_errors(data_source):
                cursor = await on_thread(connection.execute, *statement)
            if cursor.description is None:
                raise ReportQueryFailed("The report's query failed: it returns no rows.")
            columns = [column[0] for column in cursor.description]
            yield SqliteRows(thread, cursor, columns, counting, data_source, batch_size)
        finally:
            connection.interrupt()  # stops a batch still running (the job was cancelled)
            await on_thread(_close, connection, counting)
    finally:
        thread.shutdown(wait=False)


def _connect(path: Path, timeout_seconds: float) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}?mode=ro"
    connection = sqlite3.connect(uri, uri=True, timeout=timeout_seconds)
    connection.execute("PRAGMA query_only = ON")
    return connection


def _close(connection: sqlite3.Connection, counting: SqliteRowCount) -> None:
    counting.stop()
    connection.close()
