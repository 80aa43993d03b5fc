"""What every XLSX report shares, whichever library writes it: sheets, header, value rules."""

import shutil
import tempfile
import weakref
from datetime import UTC, date, datetime
from pathlib import Path

#: Excel's limit of rows on a sheet, less the header row.
EXCEL_DATA_ROWS_PER_SHEET = 1_048_575
COLUMN_WIDTH = 18
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
TIME_FORMAT = "hh:mm:ss"
#: Excel keeps 15 significant digits; larger integers (ids) are written as text.
EXACT_INTEGER_LIMIT = 10**15
#: Excel's first date; earlier dates are written as ISO text.
FIRST_EXCEL_YEAR = 1900
_SHEET_NAME = "Report"


def sheet_name(number: int) -> str:
    """The name of the ``number``-th sheet (from 1): "Report", then "Report (2)", ..."""
    return _SHEET_NAME if number == 1 else f"{_SHEET_NAME} ({number})"


def excel_date(value: date) -> date | None:
    """``value`` as Excel can hold it, or ``None`` when it is before 1900 (write it as text).

    Date-times lose their zone: aware ones are converted to UTC first.
    """
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value if value.year >= FIRST_EXCEL_YEAR else None


def scratch_directory(
    owner: object, parent: Path | None
) -> "tuple[str, weakref.finalize[..., object]]":
    """A private directory under ``parent`` (the system's temporary one by default) for
    ``owner``'s work files, and the finalizer that removes it: call it when done; it runs
    by itself when ``owner`` is dropped."""
    scratch = tempfile.mkdtemp(prefix="reportgen-xlsx-", dir=parent)
    return scratch, weakref.finalize(owner, shutil.rmtree, scratch, ignore_errors=True)
