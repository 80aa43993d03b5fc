"""Report values turned into cells that rust_xlsxwriter writes with the report's rules.

The library writes ``str``, ``float``, ``bool``, ``Decimal`` and ``None`` as we
want them (text stays text, whatever it looks like; ``None`` is a blank cell;
dates and date-times get the date formats), so most values pass untouched and
the check stays cheap: one type lookup a cell. The rest are converted here:
integers Excel cannot hold exactly, dates before 1900, zones, times, bytes and
text longer than a cell holds.
"""

from collections.abc import Sequence
from datetime import date, time
from decimal import Decimal

from adapters.rendering.csv_writer import text_of
from adapters.rendering.xlsx_layout import EXACT_INTEGER_LIMIT, excel_date
from application.reports.ports import Row

#: Excel's limit of characters in a cell; longer text is cut, as XlsxWriter does.
MAX_TEXT = 32_767
_AS_IS = frozenset({str, float, bool, type(None), Decimal})
_SECONDS_A_DAY = 86_400


class TimeOfDay(float):
    """A time as Excel holds it, the fraction of a day; it needs the time format."""

    __slots__ = ()


class CellMaker:
    """Turns batches of rows into lists of cells; tells whether a batch held times."""

    def __init__(self) -> None:
        self.has_times = False

    def cells(self, rows: Sequence[Row]) -> list[list[object]]:
        """One list of cells per row; ``has_times`` says whether any is a ``TimeOfDay``."""
        self.has_times = False
        value_of = self._value
        return [
            [
                value
                if ((kind := type(value)) in _AS_IS and (kind is not str or len(value) <= MAX_TEXT))  # type: ignore[arg-type]
                or (kind is int and -EXACT_INTEGER_LIMIT < value < EXACT_INTEGER_LIMIT)  # type: ignore[operator]
                else value_of(value)
                for value in row
            ]
            for row in rows
        ]

    def _value(self, value: object) -> object:
        if isinstance(value, float):
            return float(value)
        if isinstance(value, Decimal):
            return value
        if isinstance(value, int):
            return int(value) if -EXACT_INTEGER_LIMIT < value < EXACT_INTEGER_LIMIT else str(value)
        if isinstance(value, date):
            moment = excel_date(value)
            return value.isoformat() if moment is None else moment
        if isinstance(value, time):
            self.has_times = True
            seconds = value.hour * 3600 + value.minute * 60 + value.second
            return TimeOfDay((seconds + value.microsecond / 1e6) / _SECONDS_A_DAY)
        return text_of(value)[:MAX_TEXT]
