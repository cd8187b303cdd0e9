"""job_run.result: what a claimed run found, as data — for a recipient's scheduled delivery, how
many of its rounds were sent, unchanged, busy, waiting for responses, refused or failed — so that
the recipient's page and the counterpart's page say when the scheduler last looked and what it
found, "nothing new" told apart from "not running"; NULL on rows from before and on other jobs

Revision ID: 0016_job_run_result
Revises: 0015_outgoing_mail_error_details
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016_job_run_result"
down_revision: str | None = "0015_outgoing_mail_error_details"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "result",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.drop_column("result")
