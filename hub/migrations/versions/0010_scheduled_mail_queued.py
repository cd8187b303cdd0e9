"""reminder_sent.queued: the scheduler's request to answer and its reminders go through the mail
queue like every other mail to a municipality (retried, and named on the board when given up);
rows from before keep false: their mail went at once

Revision ID: 0010_scheduled_mail_queued
Revises: 0009_mail_until_submitted
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_scheduled_mail_queued"
down_revision: str | None = "0009_mail_until_submitted"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reminder_sent", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("queued", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("reminder_sent", schema=None) as batch_op:
        batch_op.drop_column("queued")
