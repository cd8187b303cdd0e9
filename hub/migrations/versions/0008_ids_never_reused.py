"""round and questionnaire_draft ids are never given again on SQLite (AUTOINCREMENT): a round
taken back, or a draft discarded or published, left its number free for the next one, so the
audit log, a downloaded template or an open page named two different rounds or drafts by one
number. PostgreSQL's sequences never give a number twice; nothing changes there.

Revision ID: 0008_ids_never_reused
Revises: 0007_outgoing_mail
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008_ids_never_reused"
down_revision: str | None = "0007_outgoing_mail"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("round", "questionnaire_draft")


def upgrade() -> None:
    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)


def _rebuild(*, autoincrement: bool) -> None:
    """Copy each table into one made with (or without) AUTOINCREMENT; SQLite cannot alter that
    in place. ``hub.migrate`` runs migrations on SQLite with foreign keys off and checks them
    before committing, so the rows that name a round survive its table's rebuild."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass
