"""recipient.csv_encoding: UTF-8 with a BOM or Shift_JIS (cp932) per counterpart (issue 14, item 19)

Revision ID: 0003_render
Revises: 0003_qstore
Create Date: 2026-11-29 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_render"
down_revision: str | None = "0003_qstore"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("recipient", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "csv_encoding", sa.String(length=20), nullable=False, server_default="utf-8-sig"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("recipient", schema=None) as batch_op:
        batch_op.drop_column("csv_encoding")
