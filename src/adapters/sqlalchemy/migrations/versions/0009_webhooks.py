"""Completion webhooks: a job's callback, and one row per attempt to deliver it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the callback columns (jobs created before have none) and ``WebhookDelivery``."""
    with op.batch_alter_table("JobExecutionLog") as batch:
        batch.add_column(sa.Column("callback_url", sa.String(2048), nullable=True))
        batch.add_column(sa.Column("callback_status_url", sa.String(2048), nullable=True))
        batch.add_column(sa.Column("callback_state", sa.String(16), nullable=True))
        batch.add_column(
            sa.Column("callback_attempts", sa.Integer, nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("callback_due_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_JobExecutionLog_callback_state_due",
        "JobExecutionLog",
        ["callback_state", "callback_due_at"],
    )
    op.create_table(
        "WebhookDelivery",
        sa.Column("job_id", sa.String(36), primary_key=True),
        sa.Column("attempt", sa.Integer, primary_key=True),
        sa.Column("webhook_id", sa.String(64), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("outcome IN ('delivered', 'failed')", name="ck_WebhookDelivery_outcome"),
    )


def downgrade() -> None:
    """Drop ``WebhookDelivery`` and the callback columns; the jobs stay."""
    op.drop_table("WebhookDelivery")
    op.drop_index("ix_JobExecutionLog_callback_state_due", table_name="JobExecutionLog")
    with op.batch_alter_table("JobExecutionLog") as batch:
        for column in (
            "callback_due_at",
            "callback_attempts",
            "callback_state",
            "callback_status_url",
            "callback_url",
        ):
            batch.drop_column(column)
