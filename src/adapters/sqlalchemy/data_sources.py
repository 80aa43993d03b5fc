"""Report queries run read-only against the operator's data sources (SQLite or PostgreSQL)."""

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncResult

from adapters.sqlalchemy.data_source_errors import DATABASE_ERRORS, translated_errors
from adapters.sqlalchemy.data_source_roles import judge, login_privileges
from adapters.sqlalchemy.query_parameters import bind_values, sqlite_statement, typed_statement
from adapters.sqlalchemy.query_step import QueryStep
from adapters.sqlalchemy.read_only import (
    begin_read_only,
    create_read_only_engine,
    plan_writes,
    time_limit,
)
from adapters.sqlalchemy.sql_statements import single_statement, starts_as_query
from adapters.sqlalchemy.sqlite_rows import sqlite_file, sqlite_rows
from application.common.errors import ReportQueryFailed, UnknownDataSource, UnsafeDataSource
from application.reports.ports import RowSink, RowSource
from domain.parameters import JsonScalar, ParameterSpec

logger = logging.getLogger(__name__)


class SqlAlchemyReportQueries:
    """Runs report queries on named SQLAlchemy async URLs, one lazily built engine per name.

    Connections are read-only: SQLite ones with ``PRAGMA query_only`` at every
    checkout, PostgreSQL ones in a ``READ ONLY`` transaction with a ``SET LOCAL
    statement_timeout``, on a connection of its own that is closed afterwards
    (no session state, an advisory lock say, outlives the run). The query runs
    once. A report on a SQLite file streams through the standard library's
    ``sqlite3`` instead (one thread hop per batch, ``sqlite_rows``) unless
    ``direct_sqlite`` is off; its query is compiled and its parameters bound by
    SQLAlchemy all the same.
    """

    def __init__(
        self, urls: Mapping[str, str], *, timeout_seconds: float = 5.0, direct_sqlite: bool = True
    ) -> None:
        self._urls = dict(urls)
        self._timeout = timeout_seconds
        self._direct_sqlite = direct_sqlite
        self._engines: dict[str, AsyncEngine] = {}
        self._audits: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Look at each PostgreSQL data source's login in the background (each engine is
        built on first use): an error in the log for one whose reports would be refused
        when saved, a warning for one that may write."""
        self._audits = [
            asyncio.create_task(self._audit(name))
            for name, url in self._urls.items()
            if url.startswith("postgresql")
        ]

    async def _audit(self, data_source: str) -> None:
        try:
            engine = self._engine(data_source)
            async with engine.connect() as connection, time_limit(connection, self._timeout):
                judge(data_source, await login_privileges(connection))
        except UnsafeDataSource as exc:
            logger.error("%s Reports on it are refused when saved.", exc.message)
        except DATABASE_ERRORS as exc:
            logger.warning("Could not look at the data source '%s': %s", data_source, exc)

    async def stop(self) -> None:
        """Dispose of every engine built so far."""
        for audit in self._audits:
            audit.cancel()
        engines, self._engines = list(self._engines.values()), {}
        for engine in engines:
            await engine.dispose()

    @asynccontextmanager
    async def run(
        self,
        data_source: str,
        query: str,
        parameters: Mapping[str, JsonScalar],
        declared: Sequence[ParameterSpec],
        *,
        batch_size: int,
        timeout_seconds: float | None = None,
    ) -> AsyncIterator[RowSource]:
        """Run ``query`` once with every declared parameter bound; stream its rows in
        batches, each fetch bounded by ``timeout_seconds``."""
        if data_source not in self._urls:
            raise UnknownDataSource(data_source)
        values = bind_values(parameters, declared)
        statement = typed_statement(query, declared)
        path = sqlite_file(self._urls[data_source]) if self._direct_sqlite else None
        if path is None:
            running = self._stream(data_source, statement, values, batch_size, timeout_seconds)
        else:
            with translated_errors(data_source):  # a parameter the query does not take
                direct = sqlite_statement(statement, values)
            running = sqlite_rows(
                path, direct, data_source=data_source, batch_size=batch_size,
                timeout_seconds=self._timeout, query_timeout=timeout_seconds,
            )  # fmt: skip
        async with running as rows:
            yield rows

    async def check(self, data_source: str, query: str, declared: Sequence[ParameterSpec]) -> None:
        """Explain (never run) ``query`` read-only with every declared parameter null.

        Refused with ``ReportQueryFailed``: an unknown data source, more than one
        statement, one the database rejects, and one that is not a query or whose
        plan writes (a data-modifying ``WITH``). ``DataSourceUnavailable`` when the
        data source does not answer within the adapter's timeout.
        """
        engine = self._engine(data_source)
        statement = single_statement(query)
        values = dict.fromkeys((spec.name for spec in declared), None)
        with translated_errors(data_source):
            async with engine.connect() as connection, time_limit(connection, self._timeout):
                await begin_read_only(connection)
                if connection.dialect.name == "postgresql":
                    judge(data_source, await login_privileges(connection))
                writes = await plan_writes(connection, statement, declared, values)
        if writes or not starts_as_query(statement):
            raise ReportQueryFailed("The query must be a read-only SELECT.")

    def _engine(self, data_source: str) -> AsyncEngine:
        if data_source not in self._urls:
            raise UnknownDataSource(data_source)
        if data_source not in self._engines:
            self._engines[data_source] = create_read_only_engine(
                self._urls[data_source], self._timeout
            )
        return self._engines[data_source]

    @asynccontextmanager
    async def _stream(
        self,
        data_source: str,
        statement: sa.TextClause,
        values: dict[str, object],
        batch_size: int,
        query_timeout: float | None,
    ) -> AsyncIterator[RowSource]:
        engine = self._engine(data_source)
        async with AsyncExitStack() as stack:
            with translated_errors(data_source):
                connection = await engine.connect()
                stack.push_async_callback(_close_quietly, connection)
                await begin_read_only(connection, statement_timeout=query_timeout)
            step = QueryStep(connection, data_source, query_timeout)
            async with step():
                options = {"yield_per": batch_size}
                result = await connection.stream(statement, values, execution_options=options)
                columns = list(result.keys())  # fails for a statement that returns no rows
            yield _StreamedRows(step, result, columns, batch_size)


@dataclass(frozen=True, slots=True)
class _StreamedRows:
    step: "QueryStep"
    result: AsyncResult[Any]
    columns: Sequence[str]
    batch_size: int

    async def pour(self, sink: RowSink) -> AsyncIterator[int]:
        partitions = self.result.partitions(self.batch_size)
        while True:
            async with self.step():
                batch = await anext(partitions, None)
            if batch is None:
                return
            await asyncio.to_thread(sink.write_rows, batch)
            yield len(batch)


async def _close_quietly(connection: AsyncConnection) -> None:
    with suppress(*DATABASE_ERRORS):
        await connection.close()
