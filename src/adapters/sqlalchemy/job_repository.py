"""Job execution records in the ``JobExecutionLog`` table."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from adapters.sqlalchemy.engine import storage_errors
from adapters.sqlalchemy.job_rows import request_values, state_values, to_job
from adapters.sqlalchemy.tables import job_execution_log, storable
from adapters.sqlalchemy.transaction import Transaction
from adapters.sqlalchemy.write_gate import BeforeWrite, no_gate
from application.jobs.change_ports import JobChange
from application.jobs.ports import JobQuery
from domain.job_status import JobStatus
from domain.jobs import Job

_table = job_execution_log
_NEWEST_FIRST = (_table.c.created_at.desc(), _table.c.job_id.desc())


class SqlAlchemyJobRepository:
    """The ``JobRepository`` port in one transaction; the unit of work owns it."""

    def __init__(self, transaction: Transaction, before_write: BeforeWrite = no_gate) -> None:
        self._transaction = transaction
        self._before_write = before_write
        #: The jobs this transaction changed, to announce once it commits.
        self.changes: list[JobChange] = []

    async def add(self, *jobs: Job) -> None:
        """Insert the jobs now, in one statement inside the open transaction, so a failure
        surfaces here."""
        rows = [{**request_values(job), **state_values(job)} for job in jobs]
        await self._before_write()
        with storage_errors("saving a job"):
            await self._transaction.execute(sa.insert(_table), rows)

    async def get(self, job_id: str) -> Job | None:
        """The job with that id, or ``None``."""
        if not storable(job_id):
            return None
        query = sa.select(_table).where(_table.c.job_id == job_id)
        with storage_errors("reading a job"):
            row = (await self._transaction.execute(query)).mappings().one_or_none()
        return None if row is None else to_job(row)

    async def save(self, job: Job, *, if_status: JobStatus, if_attempts: int | None = None) -> bool:
        """Write back everything but the identity and the request if the row still has
        status ``if_status`` (and ``if_attempts`` attempts, if given); return whether it
        was written.

        The row is checked and written in one statement, so of two racing writers
        that read the same state exactly one succeeds.
        """
        conditions = [_table.c.job_id == job.id, _table.c.status == if_status.value]
        if if_attempts is not None:
            conditions.append(_table.c.attempts == if_attempts)
        statement = sa.update(_table).where(*conditions).values(state_values(job))
        await self._before_write()
        with storage_errors("updating a job"):
            result = await self._transaction.execute(statement)
        if result.rowcount != 1:
            return False
        self.changes.append(JobChange(job.id, job.status, job.rows_written))
        return True

    async def with_expired_lease(self, now: datetime, limit: int) -> list[Job]:
        """``Running`` jobs whose lease ended by ``now``, the longest-expired first."""
        return await self._select(
            _table.c.status == JobStatus.RUNNING.value,
            _table.c.lease_expires_at <= now,
            order_by=(_table.c.lease_expires_at, _table.c.job_id),
            limit=limit,
        )

    async def due(self, now: datetime, limit: int) -> list[Job]:
        """``Queued`` jobs whose backoff, if any, has passed by ``now``; oldest first."""
        return await self._select(
            _table.c.status == JobStatus.QUEUED.value,
            sa.or_(_table.c.due_at.is_(None), _table.c.due_at <= now),
            order_by=(_table.c.created_at, _table.c.job_id),
            limit=limit,
        )

    async def queued_before(self, moment: datetime, limit: int) -> list[Job]:
        """``Queued`` jobs created before ``moment``, oldest first."""
        return await self._select(
            _table.c.status == JobStatus.QUEUED.value,
            _table.c.created_at < moment,
            order_by=(_table.c.created_at, _table.c.job_id),
            limit=limit,
        )

    async def queued_after(self, after: tuple[datetime, str] | None, limit: int) -> list[Job]:
        """``Queued`` jobs after the ``(created_at, id)`` of ``after``, oldest first."""
        conditions = [_table.c.status == JobStatus.QUEUED.value]
        if after is not None:
            created_at, job_id = after
            conditions.append(
                sa.or_(
                    _table.c.created_at > created_at,
                    sa.and_(_table.c.created_at == created_at, _table.c.job_id > job_id),
                )
            )
        return await self._select(
            *conditions, order_by=(_table.c.created_at, _table.c.job_id), limit=limit
        )

    async def with_expired_result(self, now: datetime, limit: int) -> list[Job]:
        """``Succeeded`` jobs whose kept result expired by ``now``, earliest expiry first."""
        return await self._select(
            _table.c.status == JobStatus.SUCCEEDED.value,
            _table.c.result_key.is_not(None),
            _table.c.expires_at <= now,
            order_by=(_table.c.expires_at, _table.c.job_id),
            limit=limit,
        )

    async def find(self, query: JobQuery) -> list[Job]:
        """Jobs matching ``query``, newest first (``created_at``, then ``id``, descending).

        ``query.before`` is the ``(created_at, id)`` of the previous page's last
        job; the page holds the jobs strictly after it in that order.
        """
        conditions: list[sa.ColumnElement[bool]] = []
        if query.requested_by is not None:
            conditions.append(_table.c.requested_by == query.requested_by)
        if query.status is not None:
            conditions.append(_table.c.status == query.status.value)
        if query.report_id is not None:
            conditions.append(_table.c.report_id == query.report_id)
        if query.before is not None:
            created_at, job_id = query.before
            conditions.append(
                sa.or_(
                    _table.c.created_at < created_at,
                    sa.and_(_table.c.created_at == created_at, _table.c.job_id < job_id),
                )
            )
        return await self._select(*conditions, order_by=_NEWEST_FIRST, limit=query.limit)

    async def _select(
        self,
        *where: sa.ColumnElement[bool],
        order_by: tuple[sa.ColumnElement[Any], ...],
        limit: int,
    ) -> list[Job]:
        query = sa.select(_table).where(*where).order_by(*order_by).limit(limit)
        with storage_errors("listing jobs"):
            rows = (await self._transaction.execute(query)).mappings().all()
        return [to_job(row) for row in rows]
