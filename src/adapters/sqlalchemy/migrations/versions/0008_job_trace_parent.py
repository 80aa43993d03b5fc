"""The trace context of the request that created a job, so that its run joins that trace.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``trace_parent`` (a W3C ``traceparent``); jobs created before have none."""
    with op.batch_alter_table("JobExecutionLog") as batch:
        batch.add_column(sa.Column("trace_parent", sa.String(55), nullable=True))


def downgrade() -> None:
    """Drop ``trace_parent``; the jobs stay."""
    with op.batch_alter_table("JobExecutionLog") as batch:
        batch.drop_column("trace_parent")
