"""outgoing_mail.sent_to: the addresses a queued mail went to, which the response's page lists
(a municipality that "never got anything" asks whom it was sent to); rows from before keep NULL
(the count is in the audit log)

Revision ID: 0012_outgoing_mail_sent_to
Revises: 0011_delivery_request_outcome
Create Date: 2026-12-04 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012_outgoing_mail_sent_to"
down_revision: str | None = "0011_delivery_request_outcome"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "sent_to",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.drop_column("sent_to")
