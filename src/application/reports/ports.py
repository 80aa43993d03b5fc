"""The ports of report configurations: where they are kept, their audit trail, their data.

``ReportQueries`` is shared with the jobs feature, which runs the queries the
reports feature checks when a configuration is saved.
"""

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from domain.parameters import JsonScalar, ParameterSpec
from domain.report_changes import ReportChange
from domain.reports import ReportConfiguration

Row = Sequence[object]


class ReportRepository(Protocol):
    """Report configurations, read and written inside a unit of work."""

    async def get(self, report_id: str) -> ReportConfiguration | None:
        """The report with that id, or ``None``."""
        ...

    async def add(self, report: ReportConfiguration) -> None:
        """Stage a new report configuration."""
        ...

    async def all(self) -> list[ReportConfiguration]:
        """Every report configuration, by id."""
        ...

    async def replace(self, report: ReportConfiguration, *, expected_version: int) -> bool:
        """Overwrite the stored report (its ``created_at`` is kept) if it is still at
        ``expected_version``; returns whether it was."""
        ...

    async def remove(self, report_id: str, *, expected_version: int) -> bool:
        """Delete the report if it is still at ``expected_version``; returns whether it was."""
        ...


class ReportCatalog(Protocol):
    """The report configurations as the generate path reads them: from memory.

    A change saved by this process is seen at once once ``changed`` is called; a
    change saved by another process within the catalog's refresh interval.
    """

    async def get(self, report_id: str) -> ReportConfiguration | None:
        """The report with that id as last saved, or ``None``; ``StorageUnavailable``
        when it must be read again and the database does not answer."""
        ...

    def changed(self) -> None:
        """Reports were saved or deleted here: read them again before the next answer."""
        ...


class ReportHistory(Protocol):
    """The audit trail of report configurations; it outlives the reports themselves."""

    async def record(self, change: ReportChange) -> None:
        """Append ``change`` inside the open transaction."""
        ...

    async def of(self, report_id: str) -> list[ReportChange]:
        """The changes of one report, oldest first."""
        ...


class RowSink(Protocol):
    """Takes rows a batch at a time; blocking, so it is called from a worker thread."""

    def write_rows(self, rows: Sequence[Row]) -> None:
        """Append ``rows``."""
        ...


class RowSource(Protocol):
    """The rows of one query run, in batches, with their column names."""

    @property
    def columns(self) -> Sequence[str]:
        """The column names, in order."""
        ...

    def pour(self, sink: RowSink) -> AsyncIterator[int]:
        """Hand the rows to ``sink`` a batch at a time (a batch perhaps in slices), streamed
        (never all in memory); yields the size of each batch once ``sink`` has written it.

        Reading a batch and ``sink.write_rows`` run in one worker thread call
        where the data source's driver is blocking anyway (SQLite), so each batch
        costs one thread hop; the caller may stop between batches.
        """
        ...


class ReportQueries(Protocol):
    """Runs report queries, read-only, against the operator's named data sources.

    Both methods raise ``UnknownDataSource`` for a data source the operator did
    not declare, ``DataSourceUnavailable`` when the data source does not answer
    (a transient failure) and ``ReportQueryFailed`` when it refuses the query or
    a parameter (a permanent one). Leaving ``run``'s block early (a cancellation
    included) stops the query on the data source at once.
    """

    def run(
        self,
        data_source: str,
        query: str,
        parameters: Mapping[str, JsonScalar],
        declared: Sequence[ParameterSpec],
        *,
        batch_size: int,
        timeout_seconds: float | None = None,
    ) -> AbstractAsyncContextManager[RowSource]:
        """Run ``query`` once with every declared parameter bound (``None`` where not
        given); a fetch of a batch that takes longer than ``timeout_seconds`` stops the
        query with ``ReportLimitExceeded``."""
        ...

    async def check(self, data_source: str, query: str, declared: Sequence[ParameterSpec]) -> None:
        """Raise ``ReportQueryFailed`` unless ``data_source`` accepts ``query`` as one
        read-only statement taking the ``declared`` parameters (it is prepared or
        explained, not run)."""
        ...
