"""outgoing_mail.subject_en / body_en: the English of a mail to a municipality, written with its
Japanese when it is queued; the mail goes in Japanese with the English after it when one of the
municipality's respondents chose English (read as it goes). Rows from before keep NULL and go in
Japanese only

Revision ID: 0018_outgoing_mail_english
Revises: 0017_referral_fiscal_year_tokyo
Create Date: 2026-12-08 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_outgoing_mail_english"
down_revision: str | None = "0017_referral_fiscal_year_tokyo"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_en", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("body_en", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.drop_column("body_en")
        batch_op.drop_column("subject_en")
