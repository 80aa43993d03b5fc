"""Idempotency keys in ``IdempotencyKey``, and callers' jobs counted in ``JobExecutionLog``."""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from adapters.sqlalchemy.engine import storage_errors
from adapters.sqlalchemy.tables import idempotency_key, job_execution_log
from adapters.sqlalchemy.transaction import Transaction
from adapters.sqlalchemy.write_gate import BeforeWrite, no_gate
from application.jobs.admission import CallerLoad, IdempotencyKey, KeyRecord, UnfinishedOutlook
from domain.job_status import JobStatus

_keys = idempotency_key
_jobs = job_execution_log
_UNFINISHED = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)
_FINISHED = (JobStatus.SUCCEEDED.value, JobStatus.FAILED.value)
#: How many of a caller's last finished jobs tell how long its jobs take.
_DURATION_SAMPLE = 20
_COUNT = sa.func.count().label("jobs")
# PostgreSQL: one transaction-scoped advisory lock per caller, taken in the callers' order.
_HOLD_CALLERS = sa.text(
    "SELECT pg_advisory_xact_lock(hashtextextended('reportgen-admission:' || caller, 0))"
    " FROM unnest(CAST(:callers AS text[])) AS caller"
)


class SqlAlchemyAdmissionLedger:
    """The ``AdmissionLedger`` port in one transaction; the unit of work owns it."""

    def __init__(self, transaction: Transaction, before_write: BeforeWrite = no_gate) -> None:
        self._transaction = transaction
        self._before_write = before_write

    async def hold(self, callers: Sequence[str]) -> None:
        """SQLite: take the database's write lock now (``BEGIN IMMEDIATE``), which every
        writer of every process needs. PostgreSQL: a lock per caller, in sorted order (so
        two batches never wait for each other in a circle), held until the transaction ends.
        """
        await self._before_write()
        with storage_errors("admitting jobs"):
            if self._transaction.dialect == "sqlite":
                await self._transaction.execute(sa.text("BEGIN IMMEDIATE"))
            else:
                await self._transaction.execute(_HOLD_CALLERS, {"callers": sorted(callers)})

    async def find_keys(self, keys: Sequence[IdempotencyKey]) -> list[KeyRecord]:
        """The stored records of those keys, however old."""
        scope = sa.tuple_(_keys.c.caller, _keys.c.report_id, _keys.c.key)
        query = sa.select(_keys).where(scope.in_([key.scope for key in keys]))
        with storage_errors("reading idempotency keys"):
            rows = (await self._transaction.execute(query)).mappings().all()
        return [
            KeyRecord(
                IdempotencyKey(row["caller"], row["report_id"], row["key"], row["fingerprint"]),
                job_id=row["job_id"],
                created_at=row["created_at"],
            )
            for row in rows
        ]

    async def record_keys(self, records: Sequence[KeyRecord]) -> None:
        """Insert the keys in one statement; the primary key refuses a key stored already."""
        rows = [
            {
                "caller": record.key.caller,
                "report_id": record.key.report_id,
                "key": record.key.key,
                "fingerprint": record.key.fingerprint,
                "job_id": record.job_id,
                "created_at": record.created_at,
            }
            for record in records
        ]
        await self._before_write()
        with storage_errors("saving idempotency keys"):
            await self._transaction.execute(sa.insert(_keys), rows)

    async def forget_keys(self, records: Sequence[KeyRecord]) -> None:
        """Delete those keys."""
        scope = sa.tuple_(_keys.c.caller, _keys.c.report_id, _keys.c.key)
        statement = sa.delete(_keys).where(scope.in_([record.key.scope for record in records]))
        await self._before_write()
        with storage_errors("forgetting idempotency keys"):
            await self._transaction.execute(statement)

    async def forget_keys_before(self, moment: datetime, limit: int) -> int:
        """Delete at most ``limit`` keys stored before ``moment``, oldest first."""
        scope = sa.tuple_(_keys.c.caller, _keys.c.report_id, _keys.c.key)
        oldest = (
            sa.select(_keys.c.caller, _keys.c.report_id, _keys.c.key)
            .where(_keys.c.created_at < moment)
            .order_by(_keys.c.created_at)
            .limit(limit)
        )
        await self._before_write()
        with storage_errors("forgetting idempotency keys"):
            result = await self._transaction.execute(sa.delete(_keys).where(scope.in_(oldest)))
        return int(result.rowcount)

    async def load(self, callers: Sequence[str], since: datetime) -> dict[str, CallerLoad]:
        """Both counts in one round trip, each from its index on ``requested_by``."""
        mine = _jobs.c.requested_by.in_(callers)
        recent = (
            sa.select(_jobs.c.requested_by, sa.literal(0).label("what"), _COUNT)
            .where(mine, _jobs.c.created_at > since)
            .group_by(_jobs.c.requested_by)
        )
        unfinished = (
            sa.select(_jobs.c.requested_by, sa.literal(1).label("what"), _COUNT)
            .where(mine, _jobs.c.status.in_(_UNFINISHED))
            .group_by(_jobs.c.requested_by)
        )
        with storage_errors("counting a caller's jobs"):
            result = await self._transaction.execute(sa.union_all(recent, unfinished))
        loads: dict[str, CallerLoad] = {}
        for row in result.mappings():
            load = loads.setdefault(row["requested_by"], CallerLoad())
            if row["what"] == 0:
                load.recent = row["jobs"]
            else:
                load.unfinished = row["jobs"]
        return loads

    async def created_since(self, caller: str, since: datetime, *, skip: int) -> datetime | None:
        """When the job of ``caller`` created after ``since`` that ``skip`` others precede
        (oldest first) was created: one row read from the index, however many there are."""
        query = (
            sa.select(_jobs.c.created_at)
            .where(_jobs.c.requested_by == caller, _jobs.c.created_at > since)
            .order_by(_jobs.c.created_at)
            .offset(skip)
            .limit(1)
        )
        with storage_errors("counting a caller's jobs"):
            created: datetime | None = (await self._transaction.execute(query)).scalar()
        return created

    async def unfinished_outlook(self, caller: str) -> UnfinishedOutlook:
        """The oldest unfinished job, and the last finished ones' creation-to-end times."""
        oldest = sa.select(sa.func.min(_jobs.c.created_at)).where(
            _jobs.c.requested_by == caller, _jobs.c.status.in_(_UNFINISHED)
        )
        finished = (
            sa.select(_jobs.c.created_at, _jobs.c.finished_at)
            .where(_jobs.c.requested_by == caller, _jobs.c.status.in_(_FINISHED))
            .order_by(_jobs.c.created_at.desc())
            .limit(_DURATION_SAMPLE)
        )
        with storage_errors("counting a caller's jobs"):
            first = (await self._transaction.execute(oldest)).scalar()
            rows = (await self._transaction.execute(finished)).mappings().all()
        took = tuple(
            row["finished_at"] - row["created_at"] for row in rows if row["finished_at"] is not None
        )
        return UnfinishedOutlook(oldest_unfinished=first, recent_durations=took)
