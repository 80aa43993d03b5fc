"""Job execution records in the ``JobExecutionLog`` table."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sqlalchemy.engine import storage_errors
from adapters.sqlalchemy.tables import job_execution_log
from adapters.sqlalchemy.write_gate import BeforeWrite, no_gate
from domain.jobs import Job, JobStatus
from domain.reports import OutputFormat

_table = job_execution_log


class SqlAlchemyJobRepository:
    """The ``JobRepository`` port on one session; the unit of work owns the transaction."""

    def __init__(self, session: AsyncSession, before_write: BeforeWrite = no_gate) -> None:
        self._session = session
        self._before_write = before_write

    async def add(self, job: Job) -> None:
        """Insert the job now, inside the open transaction, so a failure surfaces here."""
        values = {
            "job_id": job.id,
            "report_id": job.report_id,
            "requested_by": job.requested_by,
            "parameters": dict(job.parameters),
            "format": job.format.value,
            "created_at": job.created_at,
            **_progress(job),
        }
        await self._before_write()
        with storage_errors("saving a job"):
            await self._session.execute(sa.insert(_table).values(values))

    async def get(self, job_id: str) -> Job | None:
        """The job with that id, or ``None``."""
        query = sa.select(_table).where(_table.c.job_id == job_id)
        with storage_errors("reading a job"):
            row = (await self._session.execute(query)).mappings().one_or_none()
        return None if row is None else _to_job(row)

    async def update(self, job: Job) -> None:
        """Write back the job's status, times, progress, error and attempts."""
        statement = sa.update(_table).where(_table.c.job_id == job.id).values(_progress(job))
        await self._before_write()
        with storage_errors("updating a job"):
            await self._session.execute(statement)


def _progress(job: Job) -> dict[str, Any]:
    return {
        "status": job.status.value,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "error": job.error,
        "rows_written": job.rows_written,
        "progress_percent": job.progress_percent,
        "attempts": job.attempts,
    }


def _to_job(row: RowMapping) -> Job:
    return Job(
        id=row["job_id"],
        report_id=row["report_id"],
        requested_by=row["requested_by"],
        parameters=dict(row["parameters"]),
        format=OutputFormat(row["format"]),
        created_at=row["created_at"],
        status=JobStatus(row["status"]),
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        error=row["error"],
        rows_written=row["rows_written"],
        progress_percent=row["progress_percent"],
        attempts=row["attempts"],
    )
