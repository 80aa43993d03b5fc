"""Hand-written fakes of the report ports: rows in memory, files in memory."""

import hashlib
import io
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import BinaryIO

from application.common.errors import (
    ReportQueryFailed,
    ResultMissing,
    ResultStoreUnavailable,
    UnknownDataSource,
)
from application.jobs.file_ports import StoredFile
from application.reports.ports import Row, RowSink
from domain.parameters import JsonScalar, ParameterSpec
from domain.reports import OutputFormat


class FakeRowSource:
    def __init__(self, queries: "FakeReportQueries", batch_size: int) -> None:
        self._queries = queries
        self._batch_size = batch_size
        self.columns = queries.columns

    async def pour(self, sink: RowSink) -> AsyncIterator[int]:
        rows = self._queries.rows
        for number, start in enumerate(range(0, len(rows), self._batch_size)):
            if self._queries.fail_at_batch == number and self._queries.failure:
                raise self._queries.failure
            if self._queries.before_batch:
                await self._queries.before_batch(number)
            batch = rows[start : start + self._batch_size]
            sink.write_rows(batch)
            yield len(batch)


class FakeReportQueries:
    """Serves fixed rows; records the parameters it was given; can fail at a batch."""

    def __init__(self, rows: list[tuple[object, ...]], columns: Sequence[str] = ("id", "amount")):
        self.rows = rows
        self.columns = list(columns)
        self.failure: Exception | None = None
        self.fail_at_batch = 0
        self.before_batch: Callable[[int], object] | None = None
        self.calls: list[dict[str, JsonScalar]] = []
        self.timeouts: list[float | None] = []
        self.refusal: str | None = None
        self.data_sources = {"demo"}
        self.checked: list[str] = []

    async def check(self, data_source: str, query: str, declared: Sequence[ParameterSpec]) -> None:
        if data_source not in self.data_sources:
            raise UnknownDataSource(data_source)
        self.checked.append(query)
        if self.refusal:
            raise ReportQueryFailed(self.refusal)

    @asynccontextmanager
    async def run(
        self,
        data_source: str,
        query: str,
        parameters: Mapping[str, JsonScalar],
        declared: Sequence[ParameterSpec],
        *,
        batch_size: int,
        timeout_seconds: float | None = None,
    ) -> AsyncIterator[FakeRowSource]:
        self.calls.append(dict(parameters))
        self.timeouts.append(timeout_seconds)
        yield FakeRowSource(self, batch_size)


class LinesWriter:
    """One line per row, values joined with commas."""

    def __init__(self, target: BinaryIO, columns: Sequence[str]) -> None:
        self._target = target
        self._target.write((",".join(columns) + "\n").encode())

    def write_rows(self, rows: Sequence[Row]) -> None:
        for row in rows:
            self._target.write((",".join(str(value) for value in row) + "\n").encode())

    def close(self) -> None:
        self._target.write(b"END\n")


class FakeRenderer:
    def content_type(self, output_format: OutputFormat) -> str:
        return f"text/x-{output_format.value}"

    def open(
        self, output_format: OutputFormat, target: BinaryIO, columns: Sequence[str]
    ) -> LinesWriter:
        return LinesWriter(target, columns)


class FakeUpload:
    def __init__(self, store: "InMemoryResultStore", key: str) -> None:
        self._store = store
        self._key = key
        self.file = io.BytesIO()
        self.committed = False

    async def commit(self) -> StoredFile:
        data = self.file.getvalue()
        self._store.files[self._key] = data
        self.committed = True
        return StoredFile(self._key, len(data), hashlib.sha256(data).hexdigest())


class InMemoryResultStore:
    """Files by key; ``fail`` makes every call raise ``ResultStoreUnavailable``."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.abandoned = 0
        self.fail = False

    @asynccontextmanager
    async def create(self, key: str) -> AsyncIterator[FakeUpload]:
        if self.fail:
            raise ResultStoreUnavailable("The result store is not answering.")
        upload = FakeUpload(self, key)
        try:
            yield upload
        finally:
            if not upload.committed:
                self.abandoned += 1

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        if key not in self.files:
            raise ResultMissing(key)
        data = self.files[key]
        yield data[start : (len(data) if end is None else end + 1)]

    async def delete(self, key: str) -> None:
        if self.fail:
            raise ResultStoreUnavailable("The result store is not answering.")
        self.files.pop(key, None)

    async def exists(self, key: str) -> bool:
        return key in self.files
