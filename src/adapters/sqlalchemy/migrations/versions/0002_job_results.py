"""A job's stored result, its expiry and its worker's lease.

Revision ID: 0002
Revises: 0001
Create Date: 2025-02-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    "result_key",
    "result_file_name",
    "result_content_type",
    "result_size",
    "result_sha256",
    "row_count",
    "expires_at",
    "lease_expires_at",
)


def upgrade() -> None:
    """Add the result, expiry and lease columns to ``JobExecutionLog``, and their indexes;
    widen ``rows_written``."""
    # Batch mode: SQLite alters tables only in part; elsewhere it is plain ALTER TABLE.
    with op.batch_alter_table("JobExecutionLog") as batch:
        batch.add_column(sa.Column("result_key", sa.String(255), nullable=True))
        batch.add_column(sa.Column("result_file_name", sa.String(255), nullable=True))
        batch.add_column(sa.Column("result_content_type", sa.String(100), nullable=True))
        batch.add_column(sa.Column("result_size", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("result_sha256", sa.String(64), nullable=True))
        batch.add_column(sa.Column("row_count", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True))
        # Reports of more than 2**31 rows must still count.
        batch.alter_column("rows_written", type_=sa.BigInteger, existing_type=sa.Integer)
    op.create_index(
        "ix_JobExecutionLog_status_lease", "JobExecutionLog", ["status", "lease_expires_at"]
    )
    op.create_index("ix_JobExecutionLog_expires_at", "JobExecutionLog", ["expires_at"])


def downgrade() -> None:
    """Drop the indexes and the columns again; the jobs themselves stay."""
    op.drop_index("ix_JobExecutionLog_expires_at", table_name="JobExecutionLog")
    op.drop_index("ix_JobExecutionLog_status_lease", table_name="JobExecutionLog")
    # On SQLite this copies the table; its named CHECK constraint is reflected and kept.
    with op.batch_alter_table("JobExecutionLog") as batch:
        batch.alter_column("rows_written", type_=sa.Integer, existing_type=sa.BigInteger)
        for column in reversed(_COLUMNS):
            batch.drop_column(column)
