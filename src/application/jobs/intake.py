"""Recording and queueing new jobs, many requests at a time: a group commit.

Each process has one writer. Jobs submitted while it writes a batch wait for the
next one; a batch is one transaction, one multi-row insert, one hand-over to the
scheduler and one durable commit, however many requests it holds. Each caller
is answered only once the commit that holds its job has returned.
"""

import asyncio
import contextvars
from collections.abc import Callable
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from application.common.ports import Clock, UnitOfWork
from application.jobs.admission import AdmissionPolicy, IdempotencyKey, JobAccepted
from application.jobs.batch_admission import Submission, admit
from application.jobs.ports import JobMessage, JobScheduler
from domain.errors import IdempotencyKeyInFlight
from domain.jobs import Job


@dataclass(slots=True)
class _Writer:
    """One event loop's writer: the jobs waiting for the next batch, and the task writing."""

    unit_of_work: UnitOfWork
    waiting: list[Submission] = field(default_factory=list)
    task: "asyncio.Task[None] | None" = None
    keys_in_flight: set[tuple[str, str, str]] = field(default_factory=set)


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
    Admission (``batch_admission``), in the batch's transaction, before any row:
    - A request whose ``Idempotency-Key`` is stored already is answered with that
      key's job (or ``IdempotencyKeyReused``) and creates nothing; one whose key is
      still in this process's intake gets ``IdempotencyKeyInFlight`` at once.
    - A request over its caller's limits (``policy``) gets ``TooManyJobs`` and
      creates nothing. Neither ever fails the other requests of the batch.
    """

    def __init__(
        self,
        *,
        unit_of_work: Callable[[], UnitOfWork],
        scheduler: JobScheduler,
        max_batch: int,
        clock: Clock,
        policy: AdmissionPolicy,
    ) -> None:
        self._new_unit_of_work = unit_of_work
        self._scheduler = scheduler
        self._max_batch = max_batch
        self._clock = clock
        self._policy = policy
        self._writers: WeakKeyDictionary[asyncio.AbstractEventLoop, _Writer] = WeakKeyDictionary()

    async def submit(self, job: Job, key: IdempotencyKey | None = None) -> JobAccepted:
        """Return once ``job`` is committed and queued, or the job ``key`` already stands
        for; raise what refused the request or failed its batch."""
        loop = asyncio.get_running_loop()
        writer = self._writers.get(loop)
        if writer is None:
            writer = self._writers[loop] = _Writer(self._new_unit_of_work())
        done: asyncio.Future[JobAccepted] = loop.create_future()
        if key is not None:
            if key.scope in writer.keys_in_flight:
                raise IdempotencyKeyInFlight()
            writer.keys_in_flight.add(key.scope)
            done.add_done_callback(lambda _: writer.keys_in_flight.discard(key.scope))
        writer.waiting.append(Submission(job, key, done))
        if writer.task is None or writer.task.done():
            # A context of its own: the batch serves many requests, its lines name none.
            writer.task = loop.create_task(
                self._write(writer), name="reportgen-job-intake", context=contextvars.Context()
            )
        try:
            return await asyncio.shield(done)
        except asyncio.CancelledError:
            # The caller left (its client hung up); the batch goes on without it.
            done.add_done_callback(_forget)
            raise

    async def _write(self, writer: _Writer) -> None:
        while writer.waiting:
            batch = writer.waiting[: self._max_batch]
            del writer.waiting[: self._max_batch]
            try:
                created = await self._record(batch, writer.unit_of_work)
            except Exception as error:
                for item in batch:
                    item.refuse(error)
            else:
                for item in created:
                    item.answer(JobAccepted(item.job.id, item.job.created_at))

    async def _record(self, batch: list[Submission], uow: UnitOfWork) -> list[Submission]:
        async with uow:
            created = await admit(batch, uow.admission, self._policy, self._clock.now())
            if not created:
                return created
            await uow.jobs.add(*(item.job for item in created))
            keys = [record for item in created if (record := item.key_record()) is not None]
            if keys:
                await uow.admission.record_keys(keys)
            messages = [JobMessage(item.job.id, item.job.created_at) for item in created]
            await self._scheduler.enqueue_new(messages)
            await uow.commit()
        return created


def _forget(done: "asyncio.Future[JobAccepted]") -> None:
    if not done.cancelled():
        done.exception()  # read, so that a failure nobody waits for is not reported as lost
