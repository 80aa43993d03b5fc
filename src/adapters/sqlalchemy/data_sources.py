"""Report queries run read-only against the operator's data sources (SQLite or PostgreSQL)."""

import asyncio
import json
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncResult, create_async_engine

from adapters.sqlalchemy.data_source_errors import DATABASE_ERRORS, classify_query_error
from adapters.sqlalchemy.sql_statements import single_statement, starts_as_query
from application.common.errors import ReportQueryFailed, UnknownDataSource
from application.reports.ports import Row, RowSource
from domain.parameters import JsonScalar, ParameterSpec, ParameterType

_BIND_TYPES: dict[ParameterType, sa.types.TypeEngine[Any]] = {
    ParameterType.STRING: sa.String(),
    ParameterType.ENUM: sa.String(),
    ParameterType.INTEGER: sa.BigInteger(),
    ParameterType.NUMBER: sa.Float(),
    ParameterType.BOOLEAN: sa.Boolean(),
    ParameterType.DATE: sa.Date(),
    ParameterType.DATETIME: sa.DateTime(timezone=True),
}


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
        values = _bind_values(parameters, declared)
        async with AsyncExitStack() as stack:
            with _translated(data_source):
                connection = await engine.connect()
                stack.push_async_callback(_close_quietly, connection)
                await _begin_read_only(connection)
            count = f"SELECT count(*) FROM ({query.strip().rstrip(';')}) AS report_rows"  # noqa: S608
            total_rows = await self._count(engine, _typed(count, declared), values)
            with _translated(data_source):
                options = {"yield_per": batch_size}
                statement = _typed(query, declared)
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
            async with engine.connect() as connection, _time_limit(connection, self._timeout):
                await _begin_read_only(connection)
                writes = await _plan_writes(connection, statement, declared, values)
        if writes or not starts_as_query(statement):
            raise ReportQueryFailed("The query must be a read-only SELECT.")

    def _engine(self, data_source: str) -> AsyncEngine:
        if data_source not in self._urls:
            raise UnknownDataSource(data_source)
        if data_source not in self._engines:
            self._engines[data_source] = _create_engine(self._urls[data_source], self._timeout)
        return self._engines[data_source]

    async def _count(
        self, engine: AsyncEngine, statement: sa.TextClause, values: dict[str, object]
    ) -> int | None:
        try:
            async with engine.connect() as connection, _time_limit(connection, self._timeout):
                await _begin_read_only(connection)
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


def _create_engine(url: str, timeout_seconds: float) -> AsyncEngine:
    parsed = make_url(url)
    options: dict[str, Any] = {"pool_pre_ping": True, "pool_timeout": timeout_seconds}
    if parsed.get_backend_name() == "postgresql":
        options["connect_args"] = {"timeout": timeout_seconds}
    engine = create_async_engine(parsed, **options)
    if parsed.get_backend_name() == "sqlite":
        busy_ms = round(timeout_seconds * 1000)

        def on_checkout(dbapi_connection: Any, *_: Any) -> None:
            # At every checkout: a query that switched it off must not leave it off.
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms:d}")
            cursor.execute("PRAGMA query_only = ON")
            cursor.close()

        sa.event.listen(engine.sync_engine, "checkout", on_checkout)
    return engine


@asynccontextmanager
async def _time_limit(connection: AsyncConnection, seconds: float) -> AsyncIterator[None]:
    """Bound the statements run inside; a statement still running then raises."""
    if connection.dialect.name != "sqlite":
        async with asyncio.timeout(seconds):
            yield
        return
    # Cancelling aiosqlite's call would wait for SQLite to finish; interrupting stops it.
    driver = (await connection.get_raw_connection()).driver_connection
    watchdog = asyncio.create_task(_interrupt_later(driver, seconds))
    try:
        yield
    finally:
        watchdog.cancel()


async def _interrupt_later(sqlite_connection: Any, seconds: float) -> None:
    await asyncio.sleep(seconds)
    await sqlite_connection.interrupt()


async def _plan_writes(
    connection: AsyncConnection,
    statement: str,
    declared: Sequence[ParameterSpec],
    values: dict[str, object],
) -> bool:
    """Explain ``statement``; whether its plan writes to a table."""
    if connection.dialect.name == "sqlite":
        # SQLite's bytecode opens a write transaction (Transaction with P2 > 0) to write.
        rows = (await connection.execute(_typed(f"EXPLAIN {statement}", declared), values)).all()
        return any(row[1] == "Transaction" and row[3] for row in rows)
    explain = _typed(f"EXPLAIN (FORMAT JSON) {statement}", declared)
    plan = await connection.scalar(explain, values)
    return '"ModifyTable"' in (plan if isinstance(plan, str) else json.dumps(plan))


async def _begin_read_only(connection: AsyncConnection) -> None:
    if connection.dialect.name == "postgresql":
        await connection.execute(sa.text("SET TRANSACTION READ ONLY"))


async def _close_quietly(connection: AsyncConnection) -> None:
    with suppress(*DATABASE_ERRORS):
        await connection.close()


def _typed(sql: str, declared: Sequence[ParameterSpec]) -> sa.TextClause:
    """``sql`` with its declared parameters typed (SQLite stores dates as text; asyncpg casts)."""
    statement = sa.text(sql)
    used = set(statement.compile().params)
    binds = [sa.bindparam(s.name, type_=_BIND_TYPES[s.type]) for s in declared if s.name in used]
    return statement.bindparams(*binds)


def _bind_values(
    parameters: Mapping[str, JsonScalar], declared: Sequence[ParameterSpec]
) -> dict[str, object]:
    """Every declared parameter (``None`` where not given), dates as ``date``/``datetime``."""
    values: dict[str, object] = {}
    for spec in declared:
        value = parameters.get(spec.name)
        if isinstance(value, str) and spec.type is ParameterType.DATE:
            values[spec.name] = date.fromisoformat(value)
        elif isinstance(value, str) and spec.type is ParameterType.DATETIME:
            values[spec.name] = datetime.fromisoformat(value)  # aware: canonical ends in "Z"
        else:
            values[spec.name] = value
    return values
