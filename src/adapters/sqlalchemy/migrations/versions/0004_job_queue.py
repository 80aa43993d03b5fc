"""The job execution log as a queue: when a job given back with backoff is due, and an index
to take the oldest queued job first.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``due_at`` and the index on status and creation time."""
    with op.batch_alter_table("JobExecutionLog") as batch:
        batch.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_JobExecutionLog_status_created_at", "JobExecutionLog", ["status", "created_at"]
    )


def downgrade() -> None:
    """Drop them again; the jobs stay."""
    op.drop_index("ix_JobExecutionLog_status_created_at", table_name="JobExecutionLog")
    with op.batch_alter_table("JobExecutionLog") as batch:
        batch.drop_column("due_at")
