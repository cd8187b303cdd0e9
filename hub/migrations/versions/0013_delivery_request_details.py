"""delivery_request.details: a 「今すぐ送信」's outcome kept as data (which sentence, and the
delivery id, place, counts … it names), worded when the recipients page shows it, in the page's
language; rows from before keep NULL and their Japanese ``message``, which the page still shows

Revision ID: 0013_delivery_request_details
Revises: 0012_outgoing_mail_sent_to
Create Date: 2026-12-05 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013_delivery_request_details"
down_revision: str | None = "0012_outgoing_mail_sent_to"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("delivery_request", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "details",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("delivery_request", schema=None) as batch_op:
        batch_op.drop_column("details")
