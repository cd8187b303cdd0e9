"""referral.consent_scope sealed: the scope of the person's consent (free text in which people
write names and family situations) is sealed like the person's data, in a column of its own
(``consent_scope_sealed``, associated data ``referral:<id>:consent_scope``), read through the
access log and erased with the person. Each stored scope is sealed with the hub's data keys, which
``hub init`` gives the migration (``hub.migrate.upgrade(..., data_keys=)``); the scope of a
referral already erased is not kept (erasure now takes it too); the plain column is emptied, then
dropped. The downgrade opens each sealed scope into the plain column again (an erased one as an
empty text).

Revision ID: 0020_referral_scope_sealed
Revises: 0019_mail_office_hours
Create Date: 2026-12-03 12:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from hub.migrate import DATA_KEYS, DataKeysNeeded

revision: str = "0020_referral_scope_sealed"
down_revision: str | None = "0019_mail_office_hours"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

referral = sa.table(
    "referral",
    sa.column("id", sa.Integer),
    sa.column("erased_at", sa.DateTime(timezone=True)),
    sa.column("consent_scope", sa.String),
    sa.column("consent_scope_sealed", sa.LargeBinary),
)


def _context(referral_id: int) -> str:
    """``hub.services.referrals.personal.scope_context`` as this migration wrote it."""
    return f"referral:{referral_id}:consent_scope"


def _keys(needed: bool) -> Any:
    """The data keys ``hub init`` gave (a ``hub.crypto.DataKeys``); refused when ``needed``
    and none were given."""
    keys = context.config.attributes.get(DATA_KEYS)
    if needed and keys is None:
        raise DataKeysNeeded(revision)
    return keys


def upgrade() -> None:
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_scope_sealed", sa.LargeBinary(), nullable=True))
    connection = op.get_bind()
    kept = connection.execute(
        sa.select(referral.c.id, referral.c.consent_scope).where(referral.c.erased_at.is_(None))
    ).all()
    keys = _keys(bool(kept))
    for row_id, scope in kept:
        connection.execute(
            referral.update()
            .where(referral.c.id == row_id)
            .values(consent_scope_sealed=keys.seal(scope or "", _context(row_id)))
        )
    # emptied before the column goes: PostgreSQL drops a column without rewriting the rows
    op.execute(referral.update().values(consent_scope=""))
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_column("consent_scope")


def downgrade() -> None:
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_scope", sa.String(length=400), nullable=True))
    connection = op.get_bind()
    sealed = connection.execute(
        sa.select(referral.c.id, referral.c.consent_scope_sealed).where(
            referral.c.consent_scope_sealed.is_not(None)
        )
    ).all()
    keys = _keys(bool(sealed))
    for row_id, blob in sealed:
        connection.execute(
            referral.update()
            .where(referral.c.id == row_id)
            .values(consent_scope=keys.open(blob, _context(row_id)))
        )
    op.execute(referral.update().where(referral.c.consent_scope.is_(None)).values(consent_scope=""))
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.alter_column("consent_scope", existing_type=sa.String(length=400), nullable=False)
        batch_op.drop_column("consent_scope_sealed")
