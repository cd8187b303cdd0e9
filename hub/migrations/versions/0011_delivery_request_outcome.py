"""delivery_request.outcome and .message: a 「今すぐ送信」 keeps what the scheduler's handling came
to (sent, waiting for more responses, refused and why), which the recipients page shows; rows
from before keep NULL (handled, outcome not kept)

Revision ID: 0011_delivery_request_outcome
Revises: 0010_scheduled_mail_queued
Create Date: 2026-12-03 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_delivery_request_outcome"
down_revision: str | None = "0010_scheduled_mail_queued"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("delivery_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("message", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("delivery_request", schema=None) as batch_op:
        batch_op.drop_column("message")
        batch_op.drop_column("outcome")
