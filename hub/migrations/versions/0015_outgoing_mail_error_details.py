"""outgoing_mail.error_details: why a mail to a municipality failed, or which of its addresses
the mail server refused, kept as data (which sentence of the channel, and the addresses or server
it names, with what a server said as it was said), worded when the board or the response's page
is shown, in the page's language; rows from before keep NULL and their Japanese ``error``, which
the pages still show

Revision ID: 0015_outgoing_mail_error_details
Revises: 0014_delivery_error_details
Create Date: 2026-12-07 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015_outgoing_mail_error_details"
down_revision: str | None = "0014_delivery_error_details"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "error_details",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.drop_column("error_details")
