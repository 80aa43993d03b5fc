"""Which database errors of a report query are worth another attempt, and which are not."""

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg
import sqlalchemy as sa

from application.common.errors import DataSourceUnavailable, ReportLimitExceeded, ReportQueryFailed

# SQLSTATE classes a later attempt may get past: connection, resources, operator
# intervention (shutdown, cancel), system errors, rollbacks, login and missing database.
_TRANSIENT_SQLSTATE_CLASSES = frozenset({"08", "53", "57", "58", "40", "28", "3D"})
_TRANSIENT_SQLITE_MESSAGES = ("locked", "busy", "unable to open", "disk i/o", "interrupted")
_ASYNCPG_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError)
_UNREACHABLE = (OSError, sa.exc.TimeoutError, asyncpg.ConnectionDoesNotExistError)
#: Every error a query can raise below the port (OSError covers timeouts and refusals).
DATABASE_ERRORS = (sa.exc.SQLAlchemyError, OSError, sqlite3.Error, *_ASYNCPG_ERRORS)


_STATEMENT_TIMEOUT = "57014"  # query_canceled: by statement_timeout, or by a cancel request


def query_timed_out(seconds: float) -> ReportLimitExceeded:
    """The error of a report query stopped by its time limit."""
    return ReportLimitExceeded(f"The report query ran longer than {seconds:g} s.")


def classify_query_error(
    data_source: str, error: BaseException, *, query_timeout: float | None = None
) -> DataSourceUnavailable | ReportQueryFailed:
    """The port's error for a database ``error``: transient (unavailable) or the query's fault
    (``ReportLimitExceeded`` when the data source's statement timeout, ``query_timeout``
    seconds, stopped it). A refusal's message names no database text; its ``detail`` does.
    """
    driver = error.orig if isinstance(error, sa.exc.StatementError) and error.orig else error
    if isinstance(driver.__cause__, DATABASE_ERRORS):
        driver = driver.__cause__  # asyncpg's own error under SQLAlchemy's DB-API wrapper
    sqlstate = getattr(driver, "sqlstate", None)
    if (
        query_timeout is not None
        and sqlstate == _STATEMENT_TIMEOUT
        and "statement timeout" in str(driver)
    ):
        return query_timed_out(query_timeout)
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
    code = f" (SQLSTATE {sqlstate})" if isinstance(sqlstate, str) and sqlstate else ""
    return ReportQueryFailed(
        f"The data source '{data_source}' refused the report's query{code}.",
        detail=reason or type(driver).__name__,
    )


@contextmanager
def translated_errors(data_source: str, *, query_timeout: float | None = None) -> Iterator[None]:
    """Raise the port's error (``classify_query_error``) for a database error inside."""
    try:
        yield
    except DATABASE_ERRORS as error:
        raise classify_query_error(data_source, error, query_timeout=query_timeout) from error
