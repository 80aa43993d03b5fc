"""Report parameters bound to SQL: each declared parameter typed, each value converted."""

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import pysqlite

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


def typed_statement(sql: str, declared: Sequence[ParameterSpec]) -> sa.TextClause:
    """``sql`` with its declared parameters typed (SQLite stores dates as text; asyncpg casts)."""
    statement = sa.text(sql)
    used = set(statement.compile().params)
    binds = [sa.bindparam(s.name, type_=_BIND_TYPES[s.type]) for s in declared if s.name in used]
    return statement.bindparams(*binds)


_SQLITE = pysqlite.dialect()


def sqlite_statement(
    statement: sa.TextClause, values: Mapping[str, object]
) -> tuple[str, list[object]]:
    """``statement`` for the standard library's ``sqlite3``: its text with ``?`` placeholders
    and the values in their order, converted as SQLAlchemy binds them on SQLite (so a date
    parameter matches the same rows whichever driver runs the query)."""
    compiled = statement.compile(dialect=_SQLITE)
    given = compiled.construct_params(dict(values))
    bound: list[object] = []
    for name in compiled.positiontup or ():
        bind_type = compiled.binds[name].type.dialect_impl(_SQLITE)
        convert = bind_type.bind_processor(_SQLITE)
        bound.append(convert(given[name]) if convert else given[name])
    return compiled.string, bound


def bind_values(
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
