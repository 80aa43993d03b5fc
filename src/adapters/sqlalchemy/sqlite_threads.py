"""The synchronous twin of a SQLite file's async engine, and the threads that run it.

The service's own database on SQLite is a local file: a statement costs
microseconds, and what costs is getting to it. Through aiosqlite each statement
takes three thread hops (open a cursor, execute, close it) and a commit one
more, every hop a wake-up of two threads. A ``ThreadedTransaction`` runs each
step of a transaction (begin and the first statement, a statement, commit and
give the connection back) in one call on these threads instead, with
SQLAlchemy's synchronous ``pysqlite`` dialect: the same SQL, types and pragmas.
"""

import concurrent.futures
from collections.abc import Callable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary, finalize

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine
from sqlalchemy.ext.asyncio import AsyncEngine

_T = TypeVar("_T")
#: Steps of different transactions that may run at once (readers; writers take turns).
THREADS = 4

_TWINS: "WeakKeyDictionary[AsyncEngine, SqliteThreads]" = WeakKeyDictionary()


class SqliteThreads:
    """A synchronous engine on the same file, and a few threads to run its steps."""

    def __init__(self, url: URL, *, on_connect: Callable[[Any, Any], None]) -> None:
        self.engine: Engine = sa.create_engine(
            url.set(drivername="sqlite+pysqlite"),
            pool_reset_on_return=None,  # closing already rolls back; see create_engine
            max_overflow=-1,
            connect_args={"check_same_thread": False},
        )
        sa.event.listen(self.engine, "connect", on_connect)
        self._pool = concurrent.futures.ThreadPoolExecutor(
            THREADS, thread_name_prefix="reportgen-sqlite"
        )

    def submit(self, function: Callable[..., _T], *args: Any) -> "concurrent.futures.Future[_T]":
        """Start ``function(*args)`` on one of the threads."""
        return self._pool.submit(function, *args)

    def dispose(self) -> None:
        """Close the pooled connections and let the threads end."""
        self.engine.dispose()
        self._pool.shutdown(wait=False)


def pair_with_threads(engine: AsyncEngine, on_connect: Callable[[Any, Any], None]) -> None:
    """Give the SQLite file engine ``engine`` its synchronous twin (``sqlite_threads``)."""
    threads = SqliteThreads(engine.url, on_connect=on_connect)
    _TWINS[engine] = threads
    finalize(engine, threads.dispose)


def sqlite_threads(engine: AsyncEngine) -> SqliteThreads | None:
    """The twin of ``engine``; ``None`` unless it is a SQLite file engine."""
    return _TWINS.get(engine)


def dispose_threads(engine: AsyncEngine) -> None:
    """Close the twin's connections, if ``engine`` has one (it can be used again after)."""
    threads = _TWINS.get(engine)
    if threads is not None:
        threads.engine.dispose()


def units_of_work_engine(engine: AsyncEngine) -> Engine:
    """The synchronous engine whose events (``commit``, ``before_cursor_execute``, ...) see
    the units of work on ``engine``: its twin on a SQLite file, else its own."""
    threads = _TWINS.get(engine)
    return engine.sync_engine if threads is None else threads.engine
