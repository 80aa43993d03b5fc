"""The XLSX format writer: Rust-backed where its wheel installs, pure Python elsewhere.

Both write the same workbook (see ``xlsx_layout``); ``rvgsrust-xlsxwriter`` is
a dependency only on Linux x86_64, where it has wheels.
"""

from adapters.rendering.xlsx_layout import EXCEL_DATA_ROWS_PER_SHEET

try:
    from adapters.rendering.xlsx_rust import RustXlsxFormatWriter as XlsxFormatWriter
except ImportError:  # pragma: no cover - platforms without the Rust wheel
    from adapters.rendering.xlsx_xlsxwriter import (  # type: ignore[assignment]
        XlsxWriterFormatWriter as XlsxFormatWriter,
    )

__all__ = ["EXCEL_DATA_ROWS_PER_SHEET", "XlsxFormatWriter"]
