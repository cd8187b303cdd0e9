"""referral.submission_key: the key of the page form that made a referral (つなぎ依頼), unique, so
that the same form sent twice (a second click on a slow line or without the page's script, a
resend) leads to the referral it made instead of making another; empty for the referrals made
before and for those of the API

Revision ID: 0022_referral_submission
Revises: 0021_answers_entered
Create Date: 2026-12-04 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_referral_submission"
down_revision: str | None = "0021_answers_entered"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submission_key", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_referral_submission_key", ["submission_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_submission_key")
        batch_op.drop_column("submission_key")
