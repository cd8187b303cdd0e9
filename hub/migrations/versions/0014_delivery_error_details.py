"""delivery.error_details: why a delivery's attempt failed, kept as data (which sentence of the
channel, and the folder, status, addresses … it names, with what a server or the system said as
it was said), worded when the delivery log is shown, in the page's language; rows from before keep
NULL and their Japanese ``error``, which the page still shows

Revision ID: 0014_delivery_error_details
Revises: 0013_delivery_request_details
Create Date: 2026-12-06 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014_delivery_error_details"
down_revision: str | None = "0013_delivery_request_details"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "error_details",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_column("error_details")
