"""The port of admission: stored idempotency keys, and what counts against a caller's limits."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from application.jobs.admission import CallerLoad, IdempotencyKey, KeyRecord, UnfinishedOutlook


class AdmissionLedger(Protocol):
    """Idempotency keys and callers' job counts, inside a unit of work."""

    async def hold(self, callers: Sequence[str]) -> None:
        """Until the transaction ends, let no other transaction (of any process) admit
        jobs for ``callers``, so that counts and keys read now stay true until the
        commit. The first statement of its transaction."""
        ...

    async def find_keys(self, keys: Sequence[IdempotencyKey]) -> list[KeyRecord]:
        """The stored records of those keys (by caller, report and key), however old."""
        ...

    async def record_keys(self, records: Sequence[KeyRecord]) -> None:
        """Store new keys; a key stored already breaks the store's unique constraint
        (``StorageUnavailable``)."""
        ...

    async def forget_keys(self, records: Sequence[KeyRecord]) -> None:
        """Delete those keys."""
        ...

    async def forget_keys_before(self, moment: datetime, limit: int) -> int:
        """Delete at most ``limit`` keys stored before ``moment``; how many went."""
        ...

    async def load(self, callers: Sequence[str], since: datetime) -> dict[str, CallerLoad]:
        """Each caller's jobs created after ``since`` and its unfinished ones (callers
        without any may be missing)."""
        ...

    async def created_since(self, caller: str, since: datetime, *, skip: int) -> datetime | None:
        """When the job of ``caller`` created after ``since`` that ``skip`` others precede
        (oldest first) was created; ``None`` if there are not that many."""
        ...

    async def unfinished_outlook(self, caller: str) -> UnfinishedOutlook:
        """The caller's oldest unfinished job and how long its last jobs took."""
        ...
