"""The schema as SQLAlchemy Core tables, mapped to the domain by hand in the repositories."""

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


def storable(text: str) -> bool:
    """Whether every database can hold ``text``: PostgreSQL refuses a NUL character in
    text, even as a value to compare with. A key that is not storable names no row."""
    return "\x00" not in text


class UtcDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC, read back as aware UTC on every database.

    SQLite keeps no offset, so the value is stored there as naive UTC and the
    offset restored on reading; PostgreSQL stores ``timestamptz``.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive datetimes; convert aware ones to UTC."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("UtcDateTime needs a timezone-aware datetime")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return the stored moment as an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = sa.MetaData()

_NOW = sa.text("CURRENT_TIMESTAMP")

report_configuration = sa.Table(
    "ReportConfiguration",
    metadata,
    sa.Column("report_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("data_source", sa.String(64), nullable=False),
    sa.Column("query_text", sa.Text, nullable=False),
    sa.Column("parameters", sa.JSON, nullable=False),
    sa.Column("formats", sa.JSON, nullable=False),
    sa.Column("delivery_targets", sa.JSON, nullable=False),
    sa.Column("allowed_roles", sa.JSON, nullable=False),
    sa.Column("limits", sa.JSON, nullable=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False, server_default=_NOW),
    sa.Column("updated_at", UtcDateTime, nullable=False, server_default=_NOW),
)

job_execution_log = sa.Table(
    "JobExecutionLog",
    metadata,
    sa.Column("job_id", sa.String(36), primary_key=True),
    # No foreign key: a job's history outlives a deleted report.
    sa.Column("report_id", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("requested_by", sa.String(255), nullable=False),
    sa.Column("parameters", sa.JSON, nullable=False),
    sa.Column("format", sa.String(16), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("started_at", UtcDateTime, nullable=True),
    sa.Column("finished_at", UtcDateTime, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("rows_written", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("progress_percent", sa.Float, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    # The stored result of a succeeded job; all null while there is none.
    sa.Column("result_key", sa.String(255), nullable=True),
    sa.Column("result_file_name", sa.String(255), nullable=True),
    sa.Column("result_content_type", sa.String(100), nullable=True),
    sa.Column("result_size", sa.BigInteger, nullable=True),
    sa.Column("result_sha256", sa.String(64), nullable=True),
    sa.Column("row_count", sa.BigInteger, nullable=True),
    sa.Column("expires_at", UtcDateTime, nullable=True),
    sa.Column("lease_expires_at", UtcDateTime, nullable=True),
    # A queued job given back with backoff waits until then (the embedded queue reads it).
    sa.Column("due_at", UtcDateTime, nullable=True),
    # The X-Request-ID of the generate that created the job, for the logs.
    sa.Column("request_id", sa.String(128), nullable=True),
    sa.Column("trace_parent", sa.String(55), nullable=True),
    # The completion webhook, when the generate asked for one: where, the status URL its
    # body carries, and how its delivery goes (state null: no callback).
    sa.Column("callback_url", sa.String(2048), nullable=True),
    sa.Column("callback_status_url", sa.String(2048), nullable=True),
    sa.Column("callback_state", sa.String(16), nullable=True),
    sa.Column("callback_attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("callback_due_at", UtcDateTime, nullable=True),
    sa.CheckConstraint(
        "status IN ('Queued', 'Running', 'Succeeded', 'Failed', 'Cancelled')",
        name="ck_JobExecutionLog_status",
    ),
    sa.Index("ix_JobExecutionLog_requested_by_created_at", "requested_by", "created_at"),
    sa.Index("ix_JobExecutionLog_status", "status"),
    sa.Index("ix_JobExecutionLog_status_lease", "status", "lease_expires_at"),
    sa.Index("ix_JobExecutionLog_expires_at", "expires_at"),
    sa.Index("ix_JobExecutionLog_status_created_at", "status", "created_at"),
    sa.Index("ix_JobExecutionLog_requested_by_status", "requested_by", "status"),
    sa.Index("ix_JobExecutionLog_callback_state_due", "callback_state", "callback_due_at"),
)

#: One row per attempt to deliver a job's completion webhook.
webhook_delivery = sa.Table(
    "WebhookDelivery",
    metadata,
    sa.Column("job_id", sa.String(36), primary_key=True),
    sa.Column("attempt", sa.Integer, primary_key=True),
    sa.Column("webhook_id", sa.String(64), nullable=False),
    sa.Column("attempted_at", UtcDateTime, nullable=False),
    sa.Column("status_code", sa.Integer, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("next_attempt_at", UtcDateTime, nullable=True),
    sa.CheckConstraint("outcome IN ('delivered', 'failed')", name="ck_WebhookDelivery_outcome"),
)

#: One row per Idempotency-Key: the primary key makes one key of a caller one job.
idempotency_key = sa.Table(
    "IdempotencyKey",
    metadata,
    sa.Column("caller", sa.String(255), primary_key=True),
    sa.Column("report_id", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    # No foreign key: the job's row and the key are written in one transaction.
    sa.Column("job_id", sa.String(36), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index("ix_IdempotencyKey_created_at", "created_at"),
)

report_history = sa.Table(
    "ReportHistory",
    metadata,
    sa.Column("change_id", sa.Integer, primary_key=True, autoincrement=True),
    # No foreign key: the trail outlives a deleted report.
    sa.Column("report_id", sa.String(64), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("actor", sa.String(255), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    # The configuration as saved; SQL NULL (not JSON null) when there is none.
    sa.Column("document", sa.JSON(none_as_null=True), nullable=True),
    sa.CheckConstraint(
        "action IN ('created', 'updated', 'deleted')", name="ck_ReportHistory_action"
    ),
    sa.Index("ix_ReportHistory_report_id_change_id", "report_id", "change_id"),
)
