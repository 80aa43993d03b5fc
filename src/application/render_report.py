"""Produce a job's file: stream the query's rows through a format writer into the store."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from application.report_ports import ReportQueries, ReportRenderer, ResultStore
from domain.jobs import Job, StoredResult
from domain.reports import ReportConfiguration

#: Called after each batch with the rows written so far and the total where known.
ProgressCallback = Callable[[int, int | None], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class ReportFileMaker:
    """Renders one job's report to a file in the result store, a batch of rows at a time.

    Memory stays flat: one batch is held at once. Blocking work (formatting and
    writing) runs in a worker thread so the event loop keeps serving. The file
    appears in the store only once whole; any failure leaves nothing behind.
    """

    queries: ReportQueries
    renderer: ReportRenderer
    store: ResultStore
    batch_size: int = 5_000

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
            batch_size=self.batch_size,
        )
        async with running as rows, self.store.create(key) as upload:
            writer = await asyncio.to_thread(
                self.renderer.open, job.format, upload.file, rows.columns
            )
            written = 0
            async for batch in rows.batches():
                await asyncio.to_thread(writer.write_rows, batch)
                written += len(batch)
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
