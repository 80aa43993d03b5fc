"""Report files in CSV, JSON and XLSX: the ``ReportRenderer`` port and one writer per format."""

from adapters.rendering.renderer import FileReportRenderer

__all__ = ["FileReportRenderer"]
