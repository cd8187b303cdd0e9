"""outgoing_mail.office_hours: a queued mail that waits for the offices to open (the scheduler's
due-soon and overdue reminders) is sent, and tried again after a refusal, only while they are;
the reminders still waiting when this runs are marked so, every other row keeps false and is
tried again as before

Revision ID: 0019_mail_office_hours
Revises: 0018_outgoing_mail_english
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_mail_office_hours"
down_revision: str | None = "0018_outgoing_mail_english"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REMINDERS = ("reminder.due_soon", "reminder.overdue")
"""``hub.services.reminders.SCHEDULED`` of its ``OFFICE_HOURS`` points, as they were written."""


def upgrade() -> None:
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("office_hours", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    mail = sa.table(
        "outgoing_mail",
        sa.column("about", sa.String),
        sa.column("office_hours", sa.Boolean),
        sa.column("sent_at", sa.DateTime),
    )
    op.execute(
        mail.update()
        .where(mail.c.about.in_(REMINDERS), mail.c.sent_at.is_(None))
        .values(office_hours=sa.true())
    )


def downgrade() -> None:
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.drop_column("office_hours")
