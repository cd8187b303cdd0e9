"""reminder_sent.deadline: the deadline a reminder was about, so that a new deadline (an
extension, or the round's deadline moved) is reminded of again; rows from before keep NULL and
count for any deadline

Revision ID: 0005_reminder_deadline
Revises: 0004_retired_on
Create Date: 2026-11-30 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_reminder_deadline"
down_revision: str | None = "0004_retired_on"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reminder_sent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deadline", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint("uq_reminder_sent_round_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_reminder_sent_round_id", ["round_id", "municipality_code", "kind", "deadline"]
        )


def downgrade() -> None:
    op.execute(
        "DELETE FROM reminder_sent WHERE deadline IS NOT NULL AND id NOT IN "
        "(SELECT MIN(id) FROM reminder_sent GROUP BY round_id, municipality_code, kind)"
    )
    with op.batch_alter_table("reminder_sent", schema=None) as batch_op:
        batch_op.drop_constraint("uq_reminder_sent_round_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_reminder_sent_round_id", ["round_id", "municipality_code", "kind"]
        )
        batch_op.drop_column("deadline")
