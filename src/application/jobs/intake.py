"""Recording and queueing new jobs, many requests at a time: a group commit.

Each process has one writer. Jobs submitted while it writes a batch wait for the
next one; a batch is one transaction, one multi-row insert, one hand-over to the
scheduler and one durable commit, however many requests it holds. Each caller
is answered only once the commit that holds its job has returned.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from application.common.ports import UnitOfWork
from application.jobs.ports import JobMessage, JobScheduler
from domain.jobs import Job


@dataclass(slots=True)
class _Writer:
    """One event loop's writer: the jobs waiting for the next batch, and the task writing."""

    unit_of_work: UnitOfWork
    waiting: list[tuple[Job, "asyncio.Future[None]"]] = field(default_factory=list)
    task: "asyncio.Task[None] | None" = None


class JobIntake:
    """Makes new jobs durable and queued, all or nothing, a batch at a time.

    Business rules (AC-006, for every job of a batch):
    - The rows are written, then handed to the scheduler, then committed. If the
      scheduler fails, the rows are rolled back; if the commit fails after the
      hand-over, the workers find no rows and drop the jobs. Either way every
      caller of the batch gets the error (``ServiceUnavailable``) and no job runs.
    - A caller is answered only after the commit that holds its job: a job
      accepted is a job on disk.
    - A batch holds at most ``max_batch`` jobs; the rest wait for the next one.
    """

    def __init__(
        self, *, unit_of_work: Callable[[], UnitOfWork], scheduler: JobScheduler, max_batch: int
    ) -> None:
        self._new_unit_of_work = unit_of_work
        self._scheduler = scheduler
        self._max_batch = max_batch
        self._writers: WeakKeyDictionary[asyncio.AbstractEventLoop, _Writer] = WeakKeyDictionary()

    async def submit(self, job: Job) -> None:
        """Return once ``job`` is committed and queued; raise what failed its batch."""
        loop = asyncio.get_running_loop()
        writer = self._writers.get(loop)
        if writer is None:
            writer = self._writers[loop] = _Writer(self._new_unit_of_work())
        done: asyncio.Future[None] = loop.create_future()
        writer.waiting.append((job, done))
        if writer.task is None or writer.task.done():
            writer.task = loop.create_task(self._write(writer), name="reportgen-job-intake")
        try:
            await asyncio.shield(done)
        except asyncio.CancelledError:
            # The caller left (its client hung up); the batch goes on without it.
            done.add_done_callback(_forget)
            raise

    async def _write(self, writer: _Writer) -> None:
        while writer.waiting:
            batch = writer.waiting[: self._max_batch]
            del writer.waiting[: self._max_batch]
            try:
                await self._record([job for job, _ in batch], writer.unit_of_work)
            except Exception as error:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)

    async def _record(self, jobs: list[Job], uow: UnitOfWork) -> None:
        async with uow:
            await uow.jobs.add(*jobs)
            await self._scheduler.enqueue_new([JobMessage(job.id, job.created_at) for job in jobs])
            await uow.commit()


def _forget(done: "asyncio.Future[None]") -> None:
    if not done.cancelled():
        done.exception()  # read, so that a failure nobody waits for is not reported as lost
