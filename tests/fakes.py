"""Hand-written fakes of the ports: they keep state in memory and record what happened."""

import asyncio
import copy
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self

from application.common.errors import (
    JobAlreadyQueued,
    SchedulerUnavailable,
    StorageUnavailable,
)
from application.jobs.admission import CallerLoad, IdempotencyKey, KeyRecord, UnfinishedOutlook
from application.jobs.change_ports import JobChange
from application.jobs.ports import JobMessage, JobQuery
from application.webhooks.ports import WebhookMessage
from domain.callbacks import Callback, CallbackState, DeliveryResult, WebhookDelivery
from domain.job_status import JobStatus
from domain.jobs import Job
from domain.report_changes import ReportChange
from domain.reports import ReportConfiguration


class FakeClock:
    """A clock that stands still until told to move."""

    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


@dataclass
class FakeDatabase:
    """What has been committed."""

    reports: dict[str, ReportConfiguration] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    history: list[ReportChange] = field(default_factory=list)
    idempotency_keys: dict[tuple[str, str, str], KeyRecord] = field(default_factory=dict)
    deliveries: list[WebhookDelivery] = field(default_factory=list)


class FakeReportRepository:
    def __init__(self, staged: dict[str, ReportConfiguration]) -> None:
        self._staged = staged

    async def get(self, report_id: str) -> ReportConfiguration | None:
        return self._staged.get(report_id)

    async def add(self, report: ReportConfiguration) -> None:
        self._staged[report.id] = report

    async def all(self) -> list[ReportConfiguration]:
        return [self._staged[report_id] for report_id in sorted(self._staged)]

    async def replace(self, report: ReportConfiguration, *, expected_version: int) -> bool:
        current = self._staged.get(report.id)
        if current is None or current.version != expected_version:
            return False
        self._staged[report.id] = report
        return True

    async def remove(self, report_id: str, *, expected_version: int) -> bool:
        current = self._staged.get(report_id)
        if current is None or current.version != expected_version:
            return False
        del self._staged[report_id]
        return True


class FakeReportHistory:
    def __init__(self, staged: list[ReportChange]) -> None:
        self._staged = staged

    async def record(self, change: ReportChange) -> None:
        self._staged.append(change)

    async def of(self, report_id: str) -> list[ReportChange]:
        return [change for change in self._staged if change.report_id == report_id]


class FakeJobRepository:
    def __init__(self, staged: dict[str, Job], fail_on_add: bool) -> None:
        self._staged = staged
        self._fail_on_add = fail_on_add

    async def add(self, *jobs: Job) -> None:
        if self._fail_on_add:
            raise StorageUnavailable("The database is not answering.")
        for job in jobs:
            self._staged[job.id] = copy.deepcopy(job)

    async def get(self, job_id: str) -> Job | None:
        job = self._staged.get(job_id)
        return copy.deepcopy(job) if job else None

    async def save(self, job: Job, *, if_status: JobStatus, if_attempts: int | None = None) -> bool:
        stored = self._staged.get(job.id)
        if stored is None or stored.status is not if_status:
            return False
        if if_attempts is not None and stored.attempts != if_attempts:
            return False
        self._staged[job.id] = copy.deepcopy(job)
        return True

    async def find(self, query: JobQuery) -> list[Job]:
        jobs = sorted(self._staged.values(), key=lambda j: (j.created_at, j.id), reverse=True)
        return [
            copy.deepcopy(job)
            for job in jobs
            if (query.requested_by is None or job.requested_by == query.requested_by)
            and (query.status is None or job.status is query.status)
            and (query.report_id is None or job.report_id == query.report_id)
            and (query.before is None or (job.created_at, job.id) < query.before)
        ][: query.limit]

    async def with_expired_lease(self, now: datetime, limit: int) -> list[Job]:
        return self._select(
            lambda j: (
                j.status is JobStatus.RUNNING
                and j.lease_expires_at is not None
                and j.lease_expires_at <= now
            ),
            limit,
        )

    async def due(self, now: datetime, limit: int) -> list[Job]:
        due = [job for job in self._staged.values() if job.is_due(now)]
        due.sort(key=lambda job: (job.created_at, job.id))
        return [copy.deepcopy(job) for job in due][:limit]

    async def queued_before(self, moment: datetime, limit: int) -> list[Job]:
        return self._select(lambda j: j.status is JobStatus.QUEUED and j.created_at < moment, limit)

    async def queued_after(self, after: tuple[datetime, str] | None, limit: int) -> list[Job]:
        queued = [
            job
            for job in self._staged.values()
            if job.status is JobStatus.QUEUED
            and (after is None or (job.created_at, job.id) > after)
        ]
        queued.sort(key=lambda job: (job.created_at, job.id))
        return [copy.deepcopy(job) for job in queued][:limit]

    async def with_expired_result(self, now: datetime, limit: int) -> list[Job]:
        return self._select(
            lambda j: (
                j.status is JobStatus.SUCCEEDED
                and j.result is not None
                and j.expires_at is not None
                and j.expires_at <= now
            ),
            limit,
        )

    def _select(self, keep: Callable[[Job], bool], limit: int) -> list[Job]:
        return [copy.deepcopy(job) for job in self._staged.values() if keep(job)][:limit]


class FakeCallbackRepository:
    """Callbacks on the staged jobs; deliveries in a staged list."""

    def __init__(self, jobs: dict[str, Job], deliveries: list[WebhookDelivery]) -> None:
        self._jobs = jobs
        self._deliveries = deliveries

    def _is_due(self, job: Job, now: datetime) -> bool:
        callback = job.callback
        return (
            callback is not None
            and callback.state is CallbackState.PENDING
            and job.status.is_finished
            and (callback.due_at is None or callback.due_at <= now)
        )

    async def claim(self, job_id: str, now: datetime, hold_until: datetime) -> Job | None:
        job = self._jobs.get(job_id)
        if job is None or job.callback is None or not self._is_due(job, now):
            return None
        job = copy.deepcopy(job)
        assert job.callback is not None
        job.callback.due_at = hold_until
        self._jobs[job_id] = job
        return copy.deepcopy(job)

    async def due(self, now: datetime, limit: int) -> list[str]:
        return [job.id for job in self._jobs.values() if self._is_due(job, now)][:limit]

    async def record(self, job_id: str, callback: Callback, delivery: WebhookDelivery) -> bool:
        job = self._jobs.get(job_id)
        stored = None if job is None else job.callback
        if job is None or stored is None or stored.attempts != callback.attempts - 1:
            return False
        job = copy.deepcopy(job)
        job.callback = copy.deepcopy(callback)
        self._jobs[job_id] = job
        self._deliveries.append(delivery)
        return True

    async def deliveries(self, job_id: str) -> list[WebhookDelivery]:
        return [delivery for delivery in self._deliveries if delivery.job_id == job_id]


class FakeWebhookSender:
    """Answers each message with the next of ``results`` (then the last); records them."""

    def __init__(self, *results: DeliveryResult) -> None:
        self.results = list(results) or [DeliveryResult(status_code=204)]
        self.sent: list[WebhookMessage] = []

    async def send(self, message: WebhookMessage) -> DeliveryResult:
        self.sent.append(message)
        index = min(len(self.sent), len(self.results)) - 1
        return self.results[index]


class FakeJobDocuments:
    """The document as ``id status status_url``: enough to see what was sent."""

    def render(self, job: Job, status_url: str) -> bytes:
        return f"{job.id} {job.status.value} {status_url}".encode()


class FakeCallbackDispatcher:
    """Records the jobs whose callbacks it was asked to deliver."""

    def __init__(self) -> None:
        self.dispatched: list[str] = []

    def dispatch(self, job_id: str) -> None:
        self.dispatched.append(job_id)


class FakeAdmissionLedger:
    """Keys by their scope; counts read from the jobs of the same transaction."""

    def __init__(self, keys: dict[tuple[str, str, str], KeyRecord], jobs: dict[str, Job]) -> None:
        self._keys = keys
        self._jobs = jobs
        self.held: list[str] = []

    async def hold(self, callers: Sequence[str]) -> None:
        self.held.extend(callers)

    async def find_keys(self, keys: Sequence[IdempotencyKey]) -> list[KeyRecord]:
        return [self._keys[key.scope] for key in keys if key.scope in self._keys]

    async def record_keys(self, records: Sequence[KeyRecord]) -> None:
        for record in records:
            if record.key.scope in self._keys:
                raise StorageUnavailable("The key is stored already (a unique constraint).")
            self._keys[record.key.scope] = record

    async def forget_keys(self, records: Sequence[KeyRecord]) -> None:
        for record in records:
            self._keys.pop(record.key.scope, None)

    async def forget_keys_before(self, moment: datetime, limit: int) -> int:
        old = sorted((r for r in self._keys.values() if r.created_at < moment), key=_created)
        await self.forget_keys(old[:limit])
        return len(old[:limit])

    async def load(self, callers: Sequence[str], since: datetime) -> dict[str, CallerLoad]:
        return {
            caller: CallerLoad(
                recent=len(self._created_since(caller, since)),
                unfinished=len(self._unfinished(caller)),
            )
            for caller in callers
        }

    async def created_since(self, caller: str, since: datetime, *, skip: int) -> datetime | None:
        times = self._created_since(caller, since)
        return times[skip] if skip < len(times) else None

    def _created_since(self, caller: str, since: datetime) -> list[datetime]:
        return sorted(
            job.created_at
            for job in self._jobs.values()
            if job.requested_by == caller and job.created_at > since
        )

    async def unfinished_outlook(self, caller: str) -> UnfinishedOutlook:
        unfinished = self._unfinished(caller)
        finished = [
            job
            for job in self._jobs.values()
            if job.requested_by == caller and job.finished_at is not None
        ]
        return UnfinishedOutlook(
            oldest_unfinished=min((job.created_at for job in unfinished), default=None),
            recent_durations=tuple(
                job.finished_at - job.created_at for job in finished if job.finished_at
            ),
        )

    def _unfinished(self, caller: str) -> list[Job]:
        return [
            job
            for job in self._jobs.values()
            if job.requested_by == caller and job.status in (JobStatus.QUEUED, JobStatus.RUNNING)
        ]


def _created(record: KeyRecord) -> datetime:
    return record.created_at


class FakeUnitOfWork:
    """Stages changes on a copy of the database; ``commit`` publishes them."""

    def __init__(self, database: FakeDatabase | None = None) -> None:
        self.database = database or FakeDatabase()
        self.fail_on_add = False
        self.fail_on_commit = False
        self.commits = 0
        self.rollbacks = 0
        self.transactions = 0

    async def __aenter__(self) -> Self:
        self.transactions += 1
        self._reports = dict(self.database.reports)
        self._jobs = dict(self.database.jobs)
        self.reports = FakeReportRepository(self._reports)
        self.jobs = FakeJobRepository(self._jobs, self.fail_on_add)
        self._history = list(self.database.history)
        self.history = FakeReportHistory(self._history)
        self._keys = dict(self.database.idempotency_keys)
        self.admission = FakeAdmissionLedger(self._keys, self._jobs)
        self._deliveries = list(self.database.deliveries)
        self.callbacks = FakeCallbackRepository(self._jobs, self._deliveries)
        self._committed = False
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._committed:
            self.rollbacks += 1

    async def commit(self) -> None:
        if self.fail_on_commit:
            raise StorageUnavailable("The database did not accept the commit.")
        self.database.reports = dict(self._reports)
        self.database.jobs = dict(self._jobs)
        self.database.history = list(self._history)
        self.database.idempotency_keys = dict(self._keys)
        self.database.deliveries = list(self._deliveries)
        self._committed = True
        self.commits += 1


class FakeScheduler:
    """Records what it was asked to schedule; can be told to fail."""

    def __init__(self) -> None:
        self.scheduled: list[JobMessage] = []
        self.already_queued: set[str] = set()
        self.fail = False
        self.running = False
        self.round_trips = 0
        self.intact = True

    async def enqueue(self, message: JobMessage) -> None:
        if self.fail:
            raise SchedulerUnavailable("The job queue is not answering.")
        if message.job_id in self.already_queued:
            raise JobAlreadyQueued(message.job_id)
        self.scheduled.append(message)

    async def enqueue_new(self, messages: Sequence[JobMessage]) -> None:
        if self.fail:
            raise SchedulerUnavailable("The job queue is not answering.")
        self.scheduled.extend(messages)
        self.round_trips += 1

    async def ping(self) -> None:
        if self.fail:
            raise SchedulerUnavailable("The job queue is not answering.")

    async def unqueued(self, messages: Sequence[JobMessage]) -> list[JobMessage]:
        if self.fail:
            raise SchedulerUnavailable("The job queue is not answering.")
        self.round_trips += 1
        held = {m.job_id for m in self.scheduled} | self.already_queued
        return [message for message in messages if message.job_id not in held]

    async def queue_intact(self) -> bool:
        if self.fail:
            raise SchedulerUnavailable("The job queue is not answering.")
        return self.intact

    async def confirm_queue(self) -> None:
        self.intact = True

    def lose_everything(self) -> None:
        """What a restart of Redis without persistence does."""
        self.scheduled.clear()
        self.already_queued.clear()
        self.intact = False

    async def start(self) -> None:
        self.running = True

    async def stop(self) -> None:
        self.running = False


class FakeReportCatalog:
    """The committed reports of a ``FakeDatabase``, read at each call; counts ``changed``."""

    def __init__(self, database: FakeDatabase) -> None:
        self.database = database
        self.changes = 0

    async def get(self, report_id: str) -> ReportConfiguration | None:
        return self.database.reports.get(report_id)

    def changed(self) -> None:
        self.changes += 1


class FakeJobChangeFeed:
    """Watchers by job; ``announce`` hands a change to each, as a real feed would;
    ``stop_watching`` closes every watch, and each new one, as a stopping process does."""

    def __init__(self) -> None:
        self.watchers: dict[str, list[FakeJobChanges]] = {}
        self.watches = 0
        self.stopping = False

    @asynccontextmanager
    async def watch(self, job_id: str) -> AsyncIterator["FakeJobChanges"]:
        changes = FakeJobChanges(asyncio.Queue(), closing=self.stopping)
        self.watchers.setdefault(job_id, []).append(changes)
        self.watches += 1
        try:
            yield changes
        finally:
            self.watchers[job_id].remove(changes)
            if not self.watchers[job_id]:
                del self.watchers[job_id]

    async def announce(self, changes: Sequence[JobChange]) -> None:
        for change in changes:
            for watcher in self.watchers.get(change.job_id, []):
                watcher.queue.put_nowait(change)

    def stop_watching(self) -> None:
        self.stopping = True
        for watchers in self.watchers.values():
            for watcher in watchers:
                watcher.closing = True
                watcher.queue.put_nowait(None)  # wakes a waiting ``next``


@dataclass
class FakeJobChanges:
    queue: "asyncio.Queue[JobChange | None]"
    closing: bool = False

    async def next(self, within: float) -> JobChange | None:
        if self.closing:
            return None
        try:
            return await asyncio.wait_for(self.queue.get(), max(within, 0))
        except TimeoutError:
            return None
