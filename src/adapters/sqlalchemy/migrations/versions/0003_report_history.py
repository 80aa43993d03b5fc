"""The audit trail of report configurations.

Revision ID: 0003
Revises: 0002
Create Date: 2025-03-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``ReportHistory`` and its index by report."""
    op.create_table(
        "ReportHistory",
        sa.Column("change_id", sa.Integer, primary_key=True, autoincrement=True),
        # No foreign key: the trail outlives a deleted report.
        sa.Column("report_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("document", sa.JSON, nullable=True),
        sa.CheckConstraint(
            "action IN ('created', 'updated', 'deleted')", name="ck_ReportHistory_action"
        ),
    )
    op.create_index(
        "ix_ReportHistory_report_id_change_id", "ReportHistory", ["report_id", "change_id"]
    )


def downgrade() -> None:
    """Drop the trail."""
    op.drop_index("ix_ReportHistory_report_id_change_id", table_name="ReportHistory")
    op.drop_table("ReportHistory")
