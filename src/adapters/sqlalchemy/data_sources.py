"""Report queries run read-only against the operator's data sources (SQLite or PostgreSQL)."""

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncResult

from adapters.sqlalchemy.data_source_errors import DATABASE_ERRORS, classify_query_error
from adapters.sqlalchemy.query_parameters import bind_values, typed_statement
from adapters.sqlalchemy.read_only import (
    begin_read_only,
    create_read_only_engine,
    plan_writes,
    time_limit,
)
from adapters.sqlalchemy.sql_statements import single_statement, starts_as_query
from application.common.errors import ReportQueryFailed, UnknownDataSource
from application.reports.ports import Row, RowSource
from domain.parameters import JsonScalar, ParameterSpec


class SqlAlchemyReportQueries:
    """Runs report queries on named SQLAlchemy async URLs, one lazily built engine per name.

    Connections are read-only: SQLite ones with ``PRAGMA query_only`` at every
    checkout, PostgreSQL ones in a ``READ ONLY`` transaction.
    """

    def __init__(self, urls: Mapping[str, str], *, timeout_seconds: float = 5.0) -> None:
        self._urls = dict(urls)
        self._timeout = timeout_seconds
        self._engines: dict[str, AsyncEngine] = {}

    async def start(self) -> None:
        """Nothing to do: each data source's engine is built on first use."""

    async def stop(self) -> None:
        """Dispose of every engine built so far."""
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
    ) -> AsyncIterator[RowSource]:
        """Run ``query`` with every declared parameter bound; stream its rows in batches."""
        engine = self._engine(data_source)
        values = bind_values(parameters, declared)
        async with AsyncExitStack() as stack:
            with _translated(data_source):
                connection = await engine.connect()
                stack.push_async_callback(_close_quietly, connection)
                await begin_read_only(connection)
            count = f"SELECT count(*) FROM ({query.strip().rstrip(';')}) AS report_rows"  # noqa: S608
            total_rows = await self._count(engine, typed_statement(count, declared), values)
            with _translated(data_source):
                options = {"yield_per": batch_size}
                statement = typed_statement(query, declared)
                result = await connection.stream(statement, values, execution_options=options)
                columns = list(result.keys())  # fails for a statement that returns no rows
            yield _StreamedRows(data_source, result, columns, total_rows, batch_size)

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
        with _translated(data_source):
            async with engine.connect() as connection, time_limit(connection, self._timeout):
                await begin_read_only(connection)
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

    async def _count(
        self, engine: AsyncEngine, statement: sa.TextClause, values: dict[str, object]
    ) -> int | None:
        try:
            async with engine.connect() as connection, time_limit(connection, self._timeout):
                await begin_read_only(connection)
                return int(await connection.scalar(statement, values) or 0)
        except DATABASE_ERRORS:
            return None  # the count is a nicety: the query itself reports its own errors


@dataclass(frozen=True, slots=True)
class _StreamedRows:
    data_source: str
    result: AsyncResult[Any]
    columns: Sequence[str]
    total_rows: int | None
    batch_size: int

    async def batches(self) -> AsyncIterator[Sequence[Row]]:
        partitions = self.result.partitions(self.batch_size)
        while True:
            with _translated(self.data_source):
                batch = await anext(partitions, None)
            if batch is None:
                return
            yield batch


@contextmanager
def _translated(data_source: str) -> Iterator[None]:
    try:
        yield
    except DATABASE_ERRORS as error:
        raise classify_query_error(data_source, error) from error


async def _close_quietly(connection: AsyncConnection) -> None:
    with suppress(*DATABASE_ERRORS):
        await connection.close()
