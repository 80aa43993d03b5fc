"""The ``ReportRenderer`` port: picks the format writer and names the media type."""

from collections.abc import Sequence
from typing import BinaryIO

from adapters.rendering.csv_writer import CsvFormatWriter
from adapters.rendering.json_writer import JsonFormatWriter
from adapters.rendering.xlsx_writer import XlsxFormatWriter
from application.jobs.file_ports import FormatWriter
from domain.reports import OutputFormat

_CONTENT_TYPES = {
    OutputFormat.CSV: "text/csv; charset=utf-8",
    OutputFormat.JSON: "application/json",
    OutputFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class FileReportRenderer:
    """Writes report files in every ``OutputFormat``, streamed a batch of rows at a time."""

    def content_type(self, output_format: OutputFormat) -> str:
        """The media type of files of ``output_format``."""
        return _CONTENT_TYPES[output_format]

    def open(
        self, output_format: OutputFormat, target: BinaryIO, columns: Sequence[str]
    ) -> FormatWriter:
        """A writer of ``output_format`` into ``target`` that has written the column names."""
        if output_format is OutputFormat.CSV:
            return CsvFormatWriter(target, columns)
        if output_format is OutputFormat.JSON:
            return JsonFormatWriter(target, columns)
        return XlsxFormatWriter(target, columns)
