"""referral.fiscal_year by Tokyo's day: a referral created between 0:00 and 9:00 on 1 April
(Tokyo) was counted in the fiscal year before, its year read from the UTC date (still 31 March);
every stored referral's year is worked out again from its ``created_at`` in Tokyo (UTC+9, Japan
keeps no summer time), which changes only those

Revision ID: 0017_referral_fiscal_year_tokyo
Revises: 0016_job_run_result
Create Date: 2026-12-01 13:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0017_referral_fiscal_year_tokyo"
down_revision: str | None = "0016_job_run_result"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKYO_OFFSET = timedelta(hours=9)

referral = sa.table(
    "referral",
    sa.column("id", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("fiscal_year", sa.Integer),
)


def _fiscal_year(created_at: datetime) -> int:
    utc = created_at.replace(tzinfo=UTC) if created_at.tzinfo is None else created_at
    day = (utc.astimezone(UTC) + TOKYO_OFFSET).date()
    return day.year if day.month >= 4 else day.year - 1


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(referral.c.id, referral.c.created_at, referral.c.fiscal_year)
    ).all()
    for row_id, created_at, fiscal_year in rows:
        if created_at is None:
            continue
        right = _fiscal_year(created_at)
        if right != fiscal_year:
            connection.execute(
                referral.update().where(referral.c.id == row_id).values(fiscal_year=right)
            )


def downgrade() -> None:
    """Nothing to undo: the years it corrected were wrong."""
