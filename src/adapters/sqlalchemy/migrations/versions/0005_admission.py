"""Admission of new jobs: the idempotency keys, and an index to count a caller's unfinished
jobs.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``IdempotencyKey`` and the index on a job's caller and status."""
    op.create_table(
        "IdempotencyKey",
        sa.Column("caller", sa.String(255), primary_key=True),
        sa.Column("report_id", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("job_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_IdempotencyKey_created_at", "IdempotencyKey", ["created_at"])
    op.create_index(
        "ix_JobExecutionLog_requested_by_status", "JobExecutionLog", ["requested_by", "status"]
    )


def downgrade() -> None:
    """Drop them again; the jobs stay."""
    op.drop_index("ix_JobExecutionLog_requested_by_status", table_name="JobExecutionLog")
    op.drop_index("ix_IdempotencyKey_created_at", table_name="IdempotencyKey")
    op.drop_table("IdempotencyKey")
