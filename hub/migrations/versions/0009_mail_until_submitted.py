"""outgoing_mail.until_submitted: a queued mail that asks a municipality to submit (督促, a
return) is dropped instead of sent once the municipality has submitted; rows from before keep
false and go as they were queued

Revision ID: 0009_mail_until_submitted
Revises: 0008_ids_never_reused
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_mail_until_submitted"
down_revision: str | None = "0008_ids_never_reused"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("until_submitted", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.drop_column("until_submitted")
