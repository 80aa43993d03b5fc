"""A ``Job`` as a ``JobExecutionLog`` row and back, mapped by hand."""

from typing import Any

from sqlalchemy.engine import RowMapping

from domain.callbacks import Callback, CallbackState
from domain.job_results import StoredResult
from domain.job_status import JobStatus
from domain.jobs import Job
from domain.reports import OutputFormat


def request_values(job: Job) -> dict[str, Any]:
    """The columns fixed when the job is queued: its identity and what was asked for."""
    return {
        "job_id": job.id,
        "report_id": job.report_id,
        "requested_by": job.requested_by,
        "parameters": dict(job.parameters),
        "format": job.format.value,
        "created_at": job.created_at,
        "request_id": job.request_id,
        "trace_parent": job.trace_parent,
        **callback_values(job.callback),
    }


def callback_values(callback: Callback | None) -> dict[str, Any]:
    """The columns of the job's callback; they change only through the callbacks' own
    repository, never with the job's state (a job's writer never overwrites them)."""
    if callback is None:  # every key still: a batch inserts jobs with and without one
        return {
            "callback_url": None,
            "callback_status_url": None,
            "callback_state": None,
            "callback_attempts": 0,
            "callback_due_at": None,
        }
    return {
        "callback_url": callback.url,
        "callback_status_url": callback.status_url,
        "callback_state": callback.state.value,
        "callback_attempts": callback.attempts,
        "callback_due_at": callback.due_at,
    }


def state_values(job: Job) -> dict[str, Any]:
    """The columns that change as the job runs: status, times, progress, result, lease."""
    return {
        "status": job.status.value,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "error": job.error,
        "rows_written": job.rows_written,
        "progress_percent": job.progress_percent,
        "attempts": job.attempts,
        **_result_values(job.result),
        "expires_at": job.expires_at,
        "lease_expires_at": job.lease_expires_at,
        "due_at": job.due_at,
    }


def to_job(row: RowMapping) -> Job:
    """The job a ``JobExecutionLog`` row records."""
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
        result=_to_result(row),
        expires_at=row["expires_at"],
        lease_expires_at=row["lease_expires_at"],
        due_at=row["due_at"],
        request_id=row["request_id"],
        trace_parent=row["trace_parent"],
        callback=_to_callback(row),
    )


def _to_callback(row: RowMapping) -> Callback | None:
    if row["callback_state"] is None:
        return None
    return Callback(
        url=row["callback_url"],
        status_url=row["callback_status_url"] or "",
        state=CallbackState(row["callback_state"]),
        attempts=row["callback_attempts"],
        due_at=row["callback_due_at"],
    )


def _result_values(result: StoredResult | None) -> dict[str, Any]:
    if result is None:
        return {
            "result_key": None,
            "result_file_name": None,
            "result_content_type": None,
            "result_size": None,
            "result_sha256": None,
            "row_count": None,
        }
    return {
        "result_key": result.key,
        "result_file_name": result.file_name,
        "result_content_type": result.content_type,
        "result_size": result.size_bytes,
        "result_sha256": result.sha256,
        "row_count": result.row_count,
    }


def _to_result(row: RowMapping) -> StoredResult | None:
    # The key marks a kept result; the other result columns are written with it.
    if row["result_key"] is None:
        return None
    return StoredResult(
        key=row["result_key"],
        file_name=row["result_file_name"],
        content_type=row["result_content_type"],
        size_bytes=row["result_size"],
        sha256=row["result_sha256"],
        row_count=row["row_count"],
    )
