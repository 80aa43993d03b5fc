"""Which jobs of a batch are created: replays answered, limits applied, in one transaction.

Called by ``JobIntake`` inside the batch's transaction, after ``hold``: no other
transaction admits jobs for these callers until it ends, so the keys and counts
read here are still true at the commit, across processes.
"""

import asyncio
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from application.jobs.admission import (
    RATE_WINDOW,
    AdmissionPolicy,
    CallerLoad,
    IdempotencyKey,
    JobAccepted,
    KeyRecord,
)
from application.jobs.admission_ports import AdmissionLedger
from domain.errors import DomainError, TooManyJobs
from domain.jobs import Job

#: The guess of a job's duration for a caller none of whose jobs has finished yet.
FIRST_JOB_GUESS = timedelta(seconds=5)
LONGEST_WAIT_SECONDS = 3600


@dataclass(slots=True)
class Submission:
    """One request of the batch: its new job, its key if any, and its answer."""

    job: Job
    key: IdempotencyKey | None
    done: "asyncio.Future[JobAccepted]"

    def answer(self, accepted: JobAccepted) -> None:
        """Answer the caller (unless it left)."""
        if not self.done.done():
            self.done.set_result(accepted)

    def refuse(self, error: BaseException) -> None:
        """Answer the caller with ``error`` (unless it left)."""
        if not self.done.done():
            self.done.set_exception(error)

    def key_record(self) -> KeyRecord | None:
        """The key as it is stored once the job is created."""
        if self.key is None:
            return None
        return KeyRecord(self.key, self.job.id, self.job.created_at)


async def admit(
    batch: list[Submission], ledger: AdmissionLedger, policy: AdmissionPolicy, now: datetime
) -> list[Submission]:
    """The submissions whose job is to be created; the others are answered here."""
    if not policy.limits_callers and all(item.key is None for item in batch):
        return batch
    await ledger.hold(sorted({item.job.requested_by for item in batch}))
    fresh = await _answer_replays(batch, ledger, now)
    if not policy.limits_callers or not fresh:
        return fresh
    return await _within_limits(fresh, ledger, policy, now)


async def _answer_replays(
    batch: list[Submission], ledger: AdmissionLedger, now: datetime
) -> list[Submission]:
    keys = [item.key for item in batch if item.key is not None]
    if not keys:
        return batch
    stored = {record.key.scope: record for record in await ledger.find_keys(keys)}
    forgotten = [record for record in stored.values() if record.is_forgotten(now)]
    if forgotten:
        await ledger.forget_keys(forgotten)
    fresh: list[Submission] = []
    for item in batch:
        record = stored.get(item.key.scope) if item.key is not None else None
        if item.key is None or record is None or record.is_forgotten(now):
            fresh.append(item)
            continue
        try:
            item.answer(record.answer(item.key))
        except DomainError as error:
            item.refuse(error)
    return fresh


async def _within_limits(
    fresh: list[Submission], ledger: AdmissionLedger, policy: AdmissionPolicy, now: datetime
) -> list[Submission]:
    loads = await ledger.load(sorted({item.job.requested_by for item in fresh}), now - RATE_WINDOW)
    admitted: list[Submission] = []
    for item in fresh:
        caller = item.job.requested_by
        load = loads.setdefault(caller, CallerLoad())
        if policy.rate_per_minute and load.recent >= policy.rate_per_minute:
            ours = [other.job.created_at for other in admitted if other.job.requested_by == caller]
            stored = load.recent - len(ours)
            item.refuse(await _rate_refusal(ledger, policy, caller, stored, ours, now))
        elif policy.max_unfinished and load.unfinished >= policy.max_unfinished:
            item.refuse(await _unfinished_refusal(ledger, policy, caller, now))
        else:
            load.recent += 1
            load.unfinished += 1
            admitted.append(item)
    return admitted


async def _rate_refusal(
    ledger: AdmissionLedger,
    policy: AdmissionPolicy,
    caller: str,
    stored: int,
    ours: list[datetime],
    now: datetime,
) -> TooManyJobs:
    """Another job may be created once enough of the window's jobs have left it: the
    window's ``stored`` jobs (oldest first), then this batch's own (``ours``). Only the
    one job that decides is read, so a refusal costs one indexed row whatever the rate."""
    surplus = stored + len(ours) - policy.rate_per_minute
    since = now - RATE_WINDOW
    if surplus < 0:
        decisive: datetime | None = None
    elif surplus < stored:
        decisive = await ledger.created_since(caller, since, skip=surplus)
    else:
        decisive = sorted(ours)[surplus - stored]
    frees_at = decisive + RATE_WINDOW if decisive is not None else now
    return TooManyJobs(
        f"Too many reports requested: at most {policy.rate_per_minute} a minute per caller.",
        retry_after_seconds=_seconds_until(frees_at, now),
    )


async def _unfinished_refusal(
    ledger: AdmissionLedger, policy: AdmissionPolicy, caller: str, now: datetime
) -> TooManyJobs:
    """The oldest unfinished job is expected to end as long after its creation as the
    caller's recent jobs took (their median)."""
    outlook = await ledger.unfinished_outlook(caller)
    took = outlook.recent_durations
    typical = sorted(took)[len(took) // 2] if took else FIRST_JOB_GUESS
    start = outlook.oldest_unfinished or now
    return TooManyJobs(
        f"Too many unfinished jobs: at most {policy.max_unfinished} queued or running per "
        "caller. Wait for one to finish, or cancel one.",
        retry_after_seconds=_seconds_until(max(start + typical, now), now),
    )


def _seconds_until(moment: datetime, now: datetime) -> int:
    seconds = math.ceil((moment - now).total_seconds())
    return min(max(seconds, 1), LONGEST_WAIT_SECONDS)
