"""The ports a job's file passes through: the renderer that writes it, the store that keeps it."""

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from application.reports.ports import RowSink
from domain.reports import OutputFormat


class FormatWriter(RowSink, Protocol):
    """Writes rows into a file of one format; blocking, so it is called from a thread.

    A row source pours its batches into it (``RowSink.write_rows``, a whole batch
    at a time, in the source's own thread where it has one).
    """

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
        """The bytes ``start`` to ``end`` (inclusive; ``None``: to the end), in chunks;
        ``ResultMissing`` when no file is kept under ``key``."""
        ...

    async def delete(self, key: str) -> None:
        """Remove ``key``; nothing happens if it is not there."""
        ...

    async def exists(self, key: str) -> bool:
        """Whether ``key`` is kept."""
        ...
