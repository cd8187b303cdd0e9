"""user_account.organisation and phone: who people are, shown instead of e-mail addresses
(issue 14, items 7 and 14)

Revision ID: 0003_users14b
Revises: 0002_users14
Create Date: 2026-11-29 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_users14b"
down_revision = "0003_qproject"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("organisation", sa.String(200), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("phone", sa.String(30), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("phone")
        batch_op.drop_column("organisation")
