"""A conservative look at a report query's text: one statement, and a query at that.

Not a parser: it only knows string literals, quoted identifiers and comments,
enough to find the statement separators and the first keyword. Anything it
cannot be sure of (a ``;`` inside a dollar-quoted string) is refused.
"""

from collections.abc import Iterator

from application.common.errors import ReportQueryFailed

_QUERY_KEYWORDS = frozenset({"SELECT", "WITH", "VALUES", "TABLE"})


def single_statement(sql: str) -> str:
    """``sql`` up to its first ``;``; ``ReportQueryFailed`` if another statement follows."""
    code = list(_code(sql))
    end = next((index for index, char in code if char == ";"), len(sql))
    if any(index > end and not (char.isspace() or char == ";") for index, char in code):
        raise ReportQueryFailed("The query must be a single statement.")
    return sql[:end]


def starts_as_query(sql: str) -> bool:
    """Whether the first keyword (after comments and blanks) is SELECT, WITH, VALUES or TABLE."""
    keyword: list[str] = []
    previous = -1
    for index, char in _code(sql):
        if not keyword and char.isspace():
            continue
        if (keyword and index != previous + 1) or not char.isalpha():
            break
        keyword.append(char)
        previous = index
    return "".join(keyword).upper() in _QUERY_KEYWORDS


def _code(sql: str) -> Iterator[tuple[int, str]]:
    """The characters of ``sql`` outside literals and comments, with their positions.

    An unterminated literal or comment is refused: where the text ends is unclear.
    """
    index, length = 0, len(sql)
    while index < length:
        char, pair = sql[index], sql[index : index + 2]
        if char in "'\"":
            close = _closing_quote(sql, index)
        elif pair == "--":
            close = sql.find("\n", index)
            close = length - 1 if close < 0 else close
        elif pair == "/*":
            close = sql.find("*/", index + 2)
            close = close if close < 0 else close + 1
        else:
            yield index, char
            close = index
        if close < 0:
            raise ReportQueryFailed("The query must be a single statement.")
        index = close + 1


def _closing_quote(sql: str, start: int) -> int:
    """Where the literal opened at ``start`` ends (a doubled quote reopens at once), or -1.

    In PostgreSQL's ``E'...'`` strings a backslash escapes the next character.
    """
    quote = sql[start]
    escapes = quote == "'" and start > 0 and sql[start - 1] in "eE"
    escapes = escapes and (start == 1 or not (sql[start - 2].isalnum() or sql[start - 2] == "_"))
    index = start + 1
    while index < len(sql):
        if escapes and sql[index] == "\\":
            index += 2
        elif sql[index] == quote:
            return index
        else:
            index += 1
    return -1
