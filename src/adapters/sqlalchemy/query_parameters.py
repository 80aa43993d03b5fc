"""Report parameters bound to SQL: each declared parameter typed, each value converted."""

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

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
