"""The id of the request that created a job, so that its worker's log lines carry it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``request_id``; jobs created before have none."""
    with op.batch_alter_table("JobExecutionLog") as batch:
        batch.add_column(sa.Column("request_id", sa.String(128), nullable=True))


def downgrade() -> None:
    """Drop ``request_id``; the jobs stay."""
    with op.batch_alter_table("JobExecutionLog") as batch:
        batch.drop_column("request_id")
