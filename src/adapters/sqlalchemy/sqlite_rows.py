"""The rows of a report query on a SQLite file, read with the standard library's ``sqlite3``.

SQLAlchemy's asyncio layer over aiosqlite costs two thread hops and a row object
per row; here one thread owns the connection and each batch is read and handed
to the sink (formatted and written) in a single call on it. The connection is
read-only twice over: the file is opened with ``mode=ro`` and ``PRAGMA
query_only`` is on. The query runs once; each step (executing it, each fetch)
is bounded by the report's query timeout (``SqliteQueryWatch``), and leaving the
block, a cancellation included, interrupts whatever still runs.
"""

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

from sqlalchemy.engine import make_url

from adapters.sqlalchemy.data_source_errors import translated_errors
from adapters.sqlalchemy.sqlite_watch import SqliteQueryWatch, Statement
from application.common.errors import DataSourceUnavailable, ReportQueryFailed
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
    watch: SqliteQueryWatch
    data_source: str
    batch_size: int

    async def pour(self, sink: RowSink) -> AsyncIterator[int]:
        """Read a batch and write it into ``sink`` (a slice at a time), in one call on the
        connection's thread."""
        loop = asyncio.get_running_loop()
        while written := await loop.run_in_executor(self.thread, self._copy_batch, sink):
            yield written

    def _copy_batch(self, sink: RowSink) -> int:
        copied = 0
        while copied < self.batch_size:
            self.watch.step_started()
            with _watched(self.watch), translated_errors(self.data_source):
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
    *,
    data_source: str,
    batch_size: int,
    timeout_seconds: float,
    query_timeout: float | None = None,
) -> AsyncIterator[SqliteRows]:
    """Run ``statement`` read-only on the SQLite file ``path`` and stream its rows, each
    step bounded by ``query_timeout``; ``timeout_seconds`` bounds waiting for a lock."""
    loop = asyncio.get_running_loop()
    thread = ThreadPoolExecutor(1, thread_name_prefix="reportgen-sqlite")
    connect = partial(_connect, path, timeout_seconds)

    def on_thread(function: Callable[..., _T], *args: object) -> "asyncio.Future[_T]":
        return loop.run_in_executor(thread, function, *args)

    try:
        with translated_errors(data_source):
            connection = await on_thread(connect)
        watch = await on_thread(SqliteQueryWatch, connection, query_timeout)
        try:
            watch.step_started()
            with _watched(watch), translated_errors(data_source):
                cursor = await on_thread(connection.execute, *statement)
            if cursor.description is None:
                raise ReportQueryFailed("The report's query failed: it returns no rows.")
            columns = [column[0] for column in cursor.description]
            yield SqliteRows(thread, cursor, columns, watch, data_source, batch_size)
        finally:
            watch.stop()  # stops a step still running (the job was cancelled or failed)
            connection.interrupt()
            await on_thread(connection.close)
    finally:
        thread.shutdown(wait=False)


def _connect(path: Path, timeout_seconds: float) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}?mode=ro"
    connection = sqlite3.connect(uri, uri=True, timeout=timeout_seconds)
    connection.execute("PRAGMA query_only = ON")
    return connection


@contextmanager
def _watched(watch: SqliteQueryWatch) -> Iterator[None]:
    """A step interrupted by its time limit raises ``ReportLimitExceeded``."""
    try:
        yield
    except (ReportQueryFailed, DataSourceUnavailable) as error:  # "interrupted" is transient
        raise (watch.limit_error() or error) from error
