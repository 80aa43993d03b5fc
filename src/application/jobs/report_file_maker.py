"""Produce a job's file: stream the query's rows through a format writer into the store."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from application.common.errors import ReportLimitExceeded
from application.jobs.file_ports import ReportRenderer, ResultStore
from application.jobs.result_keys import delete_attempt_files, result_key
from application.reports.ports import ReportQueries
from domain.job_results import StoredResult
from domain.jobs import Job
from domain.report_limits import ReportLimits
from domain.reports import ReportConfiguration

#: Called after each batch with the rows written so far.
ProgressCallback = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class ReportFileMaker:
    """Renders one job's report to a file in the result store, a batch of rows at a time.

    Memory stays flat: one batch is held at once. Blocking work (reading a
    batch, formatting and writing it) runs in a worker thread, one hop per batch,
    so the event loop keeps serving. After each batch it reports the rows written
    and checks the caps on rows and bytes (per batch, never per value): a file
    past one fails with ``ReportLimitExceeded``. The query runs once; its rows are
    counted as they are written. The file appears in the store only once whole;
    any failure, or a cancellation of ``make``, leaves nothing behind.
    """

    queries: ReportQueries
    renderer: ReportRenderer
    store: ResultStore
    batch_rows: int

    async def make(
        self,
        job: Job,
        report: ReportConfiguration,
        limits: ReportLimits,
        on_progress: ProgressCallback,
    ) -> StoredResult:
        """The stored file within ``limits``; raises what the ports raise.

        Each attempt writes a key of its own (``result_key``), and first deletes what the
        attempts before it may have left: a run whose job was taken from it (its worker
        stalled past its lease) never writes over, nor deletes, the file of the run that
        took it over.
        """
        await delete_attempt_files(self.store, job, before=job.attempts)
        key = result_key(job, job.attempts)
        running = self.queries.run(
            report.data_source,
            report.query,
            job.parameters,
            report.parameters,
            batch_size=self.batch_rows,
            timeout_seconds=limits.timeout_seconds,
        )
        async with running as rows, self.store.create(key) as upload:
            writer = await asyncio.to_thread(
                self.renderer.open, job.format, upload.file, rows.columns
            )
            written = 0
            async for batch_rows in rows.pour(writer):
                written += batch_rows
                _check_caps(limits, written, upload.file.tell())
                on_progress(written)
            await asyncio.to_thread(writer.close)
            _check_caps(limits, written, upload.file.tell())
            stored = await upload.commit()
        return StoredResult(
            key=stored.key,
            file_name=f"{report.id}-{job.id[:8]}.{job.format.value}",
            content_type=self.renderer.content_type(job.format),
            size_bytes=stored.size_bytes,
            sha256=stored.sha256,
            row_count=written,
        )

    async def discard(self, result: StoredResult) -> None:
        """Delete a file that was made but is not wanted (its job was cancelled meanwhile)."""
        await self.store.delete(result.key)


def _check_caps(limits: ReportLimits, rows: int, size_bytes: int) -> None:
    if limits.max_rows is not None and rows > limits.max_rows:
        raise ReportLimitExceeded(f"The report has more than {limits.max_rows} rows, its limit.")
    if limits.max_bytes is not None and size_bytes > limits.max_bytes:
        raise ReportLimitExceeded(
            f"The report's file is larger than {limits.max_bytes} bytes, its limit."
        )
