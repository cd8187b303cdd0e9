"""round.invite: mail the municipalities asked a request to answer (依頼メール) once the round
opens; rounds opened before keep false, so that an upgrade mails nobody

Revision ID: 0006_round_invite
Revises: 0005_reminder_deadline
Create Date: 2026-11-30 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_round_invite"
down_revision: str | None = "0005_reminder_deadline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("invite", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_column("invite")
