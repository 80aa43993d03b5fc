"""Admission of new jobs: what an ``Idempotency-Key`` stands for, and each caller's limits.

``JobIntake`` applies these rules to each batch inside the batch's own
transaction (``batch_admission``), so that they hold across processes.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.errors import IdempotencyKeyReused
from domain.reports import ReportRequest

#: How long a key stands for its job; an older key is forgotten and may be used again.
KEY_LIFETIME = timedelta(hours=24)
#: The window the rate of a caller's generates is counted over.
RATE_WINDOW = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class JobAccepted:
    """The answer to a generate: the job's id and when it was queued."""

    job_id: str
    created_at: datetime


def request_fingerprint(request: ReportRequest, callback_url: str | None = None) -> str:
    """A hash of the request's canonical form (parameters once checked and completed with
    their defaults, the format, and the ``callbackUrl`` if any): key order and spacing of
    the body do not count. A request without a callback hashes as it always did."""
    document: dict[str, object] = {
        "format": request.format.value,
        "parameters": request.parameters,
    }
    if callback_url is not None:
        document["callbackUrl"] = callback_url
    canonical = json.dumps(
        document,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    """A caller's key for one request of one report, and the request's fingerprint."""

    caller: str
    report_id: str
    key: str
    fingerprint: str

    @property
    def scope(self) -> tuple[str, str, str]:
        """What makes two keys the same: the caller, the report and the key itself."""
        return (self.caller, self.report_id, self.key)


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """A stored key and the job it stands for."""

    key: IdempotencyKey
    job_id: str
    created_at: datetime

    def is_forgotten(self, now: datetime) -> bool:
        """Whether the key outlived ``KEY_LIFETIME``: it stands for nothing any more."""
        return self.created_at <= now - KEY_LIFETIME

    def answer(self, key: IdempotencyKey) -> JobAccepted:
        """The job, for a repeat of the same request; ``IdempotencyKeyReused`` for another."""
        if key.fingerprint != self.key.fingerprint:
            raise IdempotencyKeyReused()
        return JobAccepted(self.job_id, self.created_at)


@dataclass(frozen=True, slots=True, kw_only=True)
class AdmissionPolicy:
    """Each caller's limits on generate; 0 turns a limit off."""

    rate_per_minute: int = 600
    """Jobs a caller may create in any minute."""
    max_unfinished: int = 1000
    """Jobs of a caller that may be ``Queued`` or ``Running`` at once."""

    @property
    def limits_callers(self) -> bool:
        """Whether any limit is on."""
        return bool(self.rate_per_minute or self.max_unfinished)


@dataclass(slots=True)
class CallerLoad:
    """A caller's jobs that count against its limits."""

    recent: int = 0
    """Created within the last ``RATE_WINDOW``."""
    unfinished: int = 0
    """``Queued`` or ``Running``."""


@dataclass(frozen=True, slots=True)
class UnfinishedOutlook:
    """What tells when a caller's next unfinished job may finish."""

    oldest_unfinished: datetime | None
    """When the caller's oldest ``Queued`` or ``Running`` job was created."""
    recent_durations: tuple[timedelta, ...]
    """Creation to end of the caller's most recently finished jobs."""
