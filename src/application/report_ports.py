"""The ports a job needs to produce its file: the data source, the renderer, the store."""

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from domain.parameters import JsonScalar, ParameterSpec
from domain.reports import OutputFormat

Row = Sequence[object]


class RowSource(Protocol):
    """The rows of one query run, in batches, with their column names."""

    @property
    def columns(self) -> Sequence[str]:
        """The column names, in order."""
        ...

    @property
    def total_rows(self) -> int | None:
        """How many rows the query returns, where the data source can tell; else ``None``."""
        ...

    def batches(self) -> AsyncIterator[Sequence[Row]]:
        """The rows, a batch at a time, streamed: never all in memory."""
        ...


class ReportQueries(Protocol):
    """Runs report queries, read-only, against the operator's named data sources.

    ``run`` raises ``DataSourceUnavailable`` when the data source does not
    answer (a transient failure) and ``ReportQueryFailed`` when it refuses the
    query or a parameter (a permanent one).
    """

    def run(
        self,
        data_source: str,
        query: str,
        parameters: Mapping[str, JsonScalar],
        declared: Sequence[ParameterSpec],
        *,
        batch_size: int,
    ) -> AbstractAsyncContextManager[RowSource]:
        """Run ``query`` with every declared parameter bound (``None`` where not given)."""
        ...

    async def check(self, data_source: str, query: str, declared: Sequence[ParameterSpec]) -> None:
        """Raise ``ReportQueryFailed`` unless ``data_source`` is configured and accepts
        ``query`` as one read-only statement taking the ``declared`` parameters (it
        is prepared or explained, not run); ``DataSourceUnavailable`` if it is down."""
        ...


class FormatWriter(Protocol):
    """Writes rows into a file of one format; blocking, so it is called from a thread."""

    def write_rows(self, rows: Sequence[Row]) -> None:
        """Append ``rows``."""
        ...

    def close(self) -> None:
        """Finish the file (closing brackets, the workbook's index); the target stays open."""
        ...


class ReportRenderer(Protocol):
    """Makes ``FormatWriter``s for the output formats."""

    def content_type(self, output_format: OutputFormat) -> str:
        """The media type of files of that format."""
        ...

    def open(
        self, output_format: OutputFormat, target: BinaryIO, columns: Sequence[str]
    ) -> FormatWriter:
        """A writer of ``output_format`` into ``target``, starting with the column names."""
        ...


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file the store now keeps, whole."""

    key: str
    size_bytes: int
    sha256: str


class ResultUpload(Protocol):
    """A file being written to the store; invisible until ``commit``."""

    @property
    def file(self) -> BinaryIO:
        """Where to write the bytes (blocking writes, from a thread)."""
        ...

    async def commit(self) -> StoredFile:
        """Make the file appear under its key, whole (never half-written)."""
        ...


class ResultStore(Protocol):
    """Keeps result files: a local directory or an object store.

    Every method raises ``ResultStoreUnavailable`` when the store fails.
    """

    def create(self, key: str) -> AbstractAsyncContextManager[ResultUpload]:
        """Start writing ``key``; discarded on leaving unless committed."""
        ...

    def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The bytes ``start`` to ``end`` (inclusive; ``None``: to the end), in chunks."""
        ...

    async def delete(self, key: str) -> None:
        """Remove ``key``; nothing happens if it is not there."""
        ...

    async def exists(self, key: str) -> bool:
        """Whether ``key`` is kept."""
        ...
