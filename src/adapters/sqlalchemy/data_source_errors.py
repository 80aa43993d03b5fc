"""Which database errors of a report query are worth another attempt, and which are not."""

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
import sqlalchemy as sa

from application.common.errors import DataSourceUnavailable, ReportQueryFailed

# SQLSTATE classes a later attempt may get past: connection, resources, operator
# intervention (shutdown, cancel), system errors, rollbacks, login and missing database.
_TRANSIENT_SQLSTATE_CLASSES = frozenset({"08", "53", "57", "58", "40", "28", "3D"})
_TRANSIENT_SQLITE_MESSAGES = ("locked", "busy", "unable to open", "disk i/o", "interrupted")
_ASYNCPG_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError)
_UNREACHABLE = (OSError, sa.exc.TimeoutError, asyncpg.ConnectionDoesNotExistError)
#: Every error a query can raise below the port (OSError covers timeouts and refusals).
DATABASE_ERRORS = (sa.exc.SQLAlchemyError, OSError, sqlite3.Error, *_ASYNCPG_ERRORS)


def classify_query_error(
    data_source: str, error: BaseException
) -> DataSourceUnavailable | ReportQueryFailed:
    """The port's error for a database ``error``: transient (unavailable) or the query's fault."""
    driver = error.orig if isinstance(error, sa.exc.StatementError) and error.orig else error
    if isinstance(driver.__cause__, DATABASE_ERRORS):
        driver = driver.__cause__  # asyncpg's own error under SQLAlchemy's DB-API wrapper
    sqlstate = getattr(driver, "sqlstate", None)
    if isinstance(driver, asyncpg.DataError):  # an argument the driver cannot encode
        transient = False
    elif isinstance(error, _UNREACHABLE) or isinstance(driver, _UNREACHABLE):
        transient = True
    elif isinstance(sqlstate, str) and sqlstate:
        transient = sqlstate[:2] in _TRANSIENT_SQLSTATE_CLASSES
    elif isinstance(driver, sqlite3.Error):
        transient = any(part in str(driver).lower() for part in _TRANSIENT_SQLITE_MESSAGES)
    else:
        # Also when SQLAlchemy saw the connection die under the statement.
        transient = isinstance(error, sa.exc.OperationalError | sa.exc.InterfaceError) or bool(
            getattr(error, "connection_invalidated", False)
        )
    if transient:
        return DataSourceUnavailable(f"The data source '{data_source}' is unavailable.")
    text = str(driver).split("[SQL:", 1)[0].split("(Background on this error", 1)[0].strip()
    reason = re.sub(r"^\([\w.]+\)\s*", "", text.splitlines()[0] if text else "")[:200].rstrip()
    return ReportQueryFailed(f"The report's query failed: {reason or type(driver).__name__}")


@contextmanager
def translated_errors(data_source: str) -> Iterator[None]:
    """Raise the port's error (``classify_query_error``) for a database error inside."""
    try:
        yield
    except DATABASE_ERRORS as error:
        raise classify_query_error(data_source, error) from error
