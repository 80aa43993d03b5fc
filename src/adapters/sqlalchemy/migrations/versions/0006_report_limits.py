"""A report's own limits (its query's time, its rows, its file's bytes), as JSON.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``limits``; a report without it runs under the operator's limits."""
    with op.batch_alter_table("ReportConfiguration") as batch:
        batch.add_column(sa.Column("limits", sa.JSON, nullable=True))


def downgrade() -> None:
    """Drop ``limits``; the reports stay."""
    with op.batch_alter_table("ReportConfiguration") as batch:
        batch.drop_column("limits")
