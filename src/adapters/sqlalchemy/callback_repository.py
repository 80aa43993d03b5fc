"""Jobs' completion callbacks (columns of ``JobExecutionLog``) and ``WebhookDelivery`` rows."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping

from adapters.sqlalchemy.engine import storage_errors
from adapters.sqlalchemy.job_rows import to_job
from adapters.sqlalchemy.tables import job_execution_log, storable, webhook_delivery
from adapters.sqlalchemy.transaction import Transaction
from adapters.sqlalchemy.write_gate import BeforeWrite, no_gate
from domain.callbacks import Callback, CallbackState, DeliveryOutcome, WebhookDelivery
from domain.job_status import JobStatus
from domain.jobs import Job

_jobs = job_execution_log
_deliveries = webhook_delivery
_FINISHED = [status.value for status in JobStatus if status.is_finished]


def _due(now: datetime) -> list[sa.ColumnElement[bool]]:
    return [
        _jobs.c.callback_state == CallbackState.PENDING.value,
        _jobs.c.status.in_(_FINISHED),
        sa.or_(_jobs.c.callback_due_at.is_(None), _jobs.c.callback_due_at <= now),
    ]


class SqlAlchemyCallbackRepository:
    """The ``CallbackRepository`` port in one transaction; the unit of work owns it."""

    def __init__(self, transaction: Transaction, before_write: BeforeWrite = no_gate) -> None:
        self._transaction = transaction
        self._before_write = before_write

    async def claim(self, job_id: str, now: datetime, hold_until: datetime) -> Job | None:
        """Hold the job's due callback until ``hold_until`` (checked and written in one
        statement: of two claimers one wins), then read the job."""
        if not storable(job_id):
            return None
        statement = (
            sa.update(_jobs)
            .where(_jobs.c.job_id == job_id, *_due(now))
            .values(callback_due_at=hold_until)
        )
        await self._before_write()
        with storage_errors("claiming a callback"):
            if (await self._transaction.execute(statement)).rowcount != 1:
                return None
            query = sa.select(_jobs).where(_jobs.c.job_id == job_id)
            row = (await self._transaction.execute(query)).mappings().one()
        return to_job(row)

    async def due(self, now: datetime, limit: int) -> list[str]:
        """Ids of finished jobs whose pending callback is due, the longest waiting first."""
        query = (
            sa.select(_jobs.c.job_id)
            .where(*_due(now))
            .order_by(_jobs.c.callback_due_at, _jobs.c.job_id)
            .limit(limit)
        )
        with storage_errors("listing due callbacks"):
            return list((await self._transaction.execute(query)).scalars().all())

    async def record(self, job_id: str, callback: Callback, delivery: WebhookDelivery) -> bool:
        """The callback's new state and the delivery's row, fenced by the attempt count."""
        statement = (
            sa.update(_jobs)
            .where(
                _jobs.c.job_id == job_id,
                _jobs.c.callback_state == CallbackState.PENDING.value,
                _jobs.c.callback_attempts == callback.attempts - 1,
            )
            .values(
                callback_state=callback.state.value,
                callback_attempts=callback.attempts,
                callback_due_at=callback.due_at,
            )
        )
        await self._before_write()
        with storage_errors("recording a callback delivery"):
            if (await self._transaction.execute(statement)).rowcount != 1:
                return False
            await self._transaction.execute(
                sa.insert(_deliveries),
                {
                    "job_id": delivery.job_id,
                    "attempt": delivery.attempt,
                    "webhook_id": delivery.webhook_id,
                    "attempted_at": delivery.attempted_at,
                    "status_code": delivery.status_code,
                    "error": delivery.error,
                    "outcome": delivery.outcome.value,
                    "next_attempt_at": delivery.next_attempt_at,
                },
            )
        return True

    async def deliveries(self, job_id: str) -> list[WebhookDelivery]:
        """The job's deliveries, first attempt first."""
        if not storable(job_id):
            return []
        query = (
            sa.select(_deliveries)
            .where(_deliveries.c.job_id == job_id)
            .order_by(_deliveries.c.attempt)
        )
        with storage_errors("reading callback deliveries"):
            rows = (await self._transaction.execute(query)).mappings().all()
        return [_to_delivery(row) for row in rows]


def _to_delivery(row: RowMapping) -> WebhookDelivery:
    return WebhookDelivery(
        job_id=row["job_id"],
        webhook_id=row["webhook_id"],
        attempt=row["attempt"],
        attempted_at=row["attempted_at"],
        status_code=row["status_code"],
        error=row["error"],
        outcome=DeliveryOutcome(row["outcome"]),
        next_attempt_at=row["next_attempt_at"],
    )
