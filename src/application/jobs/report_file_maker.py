"""Produce a job's file: stream the query's rows through a format writer into the store."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from application.jobs.file_ports import ReportRenderer, ResultStore
from application.reports.ports import ReportQueries
from domain.job_results import StoredResult
from domain.jobs import Job
from domain.reports import ReportConfiguration

#: Called after each batch with the rows written so far and the total where known.
ProgressCallback = Callable[[int, int | None], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class ReportFileMaker:
    """Renders one job's report to a file in the result store, a batch of rows at a time.

    Memory stays flat: one batch is held at once. Blocking work (reading a
    batch, formatting and writing it) runs in a worker thread, one hop per batch,
    so the event loop keeps serving. Between batches it reports progress, which
    is where a cancelled job stops. The file appears in the store only once
    whole; any failure leaves nothing behind.
    """

    queries: ReportQueries
    renderer: ReportRenderer
    store: ResultStore
    batch_rows: int

    async def make(
        self, job: Job, report: ReportConfiguration, on_progress: ProgressCallback
    ) -> StoredResult:
        """The stored file; raises what the ports raise, or what ``on_progress`` raises."""
        key = f"{job.id}.{job.format.value}"
        running = self.queries.run(
            report.data_source,
            report.query,
            job.parameters,
            report.parameters,
            batch_size=self.batch_rows,
        )
        async with running as rows, self.store.create(key) as upload:
            writer = await asyncio.to_thread(
                self.renderer.open, job.format, upload.file, rows.columns
            )
            written = 0
            async for batch_rows in rows.pour(writer):
                written += batch_rows
                await on_progress(written, rows.total_rows)
            await asyncio.to_thread(writer.close)
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
