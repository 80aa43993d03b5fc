"""The report configurations and the job execution log.

Revision ID: 0001
Revises:
Create Date: 2025-01-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOW = sa.text("CURRENT_TIMESTAMP")


def upgrade() -> None:
    """Create ``ReportConfiguration`` and ``JobExecutionLog`` with their indexes."""
    op.create_table(
        "ReportConfiguration",
        sa.Column("report_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("data_source", sa.String(64), nullable=False),
        sa.Column("query_text", sa.Text, nullable=False),
        sa.Column("parameters", sa.JSON, nullable=False),
        sa.Column("formats", sa.JSON, nullable=False),
        sa.Column("delivery_targets", sa.JSON, nullable=False),
        sa.Column("allowed_roles", sa.JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
    )
    op.create_table(
        "JobExecutionLog",
        sa.Column("job_id", sa.String(36), primary_key=True),
        sa.Column("report_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_by", sa.String(255), nullable=False),
        sa.Column("parameters", sa.JSON, nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("rows_written", sa.Integer, nullable=False, server_default="0"),
        sa.Column("progress_percent", sa.Float, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.CheckConstraint(
            "status IN ('Queued', 'Running', 'Succeeded', 'Failed', 'Cancelled')",
            name="ck_JobExecutionLog_status",
        ),
    )
    op.create_index(
        "ix_JobExecutionLog_requested_by_created_at",
        "JobExecutionLog",
        ["requested_by", "created_at"],
    )
    op.create_index("ix_JobExecutionLog_status", "JobExecutionLog", ["status"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_index("ix_JobExecutionLog_status", table_name="JobExecutionLog")
    op.drop_index("ix_JobExecutionLog_requested_by_created_at", table_name="JobExecutionLog")
    op.drop_table("JobExecutionLog")
    op.drop_table("ReportConfiguration")
