"""response.answers_entered_at, answers_entered_by_id, answers_entered_on_behalf: who last entered
or changed a response's answers (最終入力者), kept on the row by the change that writes answers
instead of looked for among the revisions by every read; filled here from the revisions by the
rule the reads applied — the last save or submit that changed an answer, the first save or submit
while none did —, left empty for a response no one wrote

Revision ID: 0021_answers_entered
Revises: 0020_referral_scope_sealed
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0021_answers_entered"
down_revision: str | None = "0020_referral_scope_sealed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ANSWERING = ("save", "submit")
"""``hub.models.survey.ANSWERING`` as it was written: the actions that write answers."""

response = sa.table(
    "response",
    sa.column("id", sa.Integer),
    sa.column("answers_entered_at", sa.DateTime(timezone=True)),
    sa.column("answers_entered_by_id", sa.Integer),
    sa.column("answers_entered_on_behalf", sa.Boolean),
)
revision_table = sa.table(
    "revision",
    sa.column("response_id", sa.Integer),
    sa.column("number", sa.Integer),
    sa.column("action", sa.String),
    sa.column("changes", sa.JSON),
    sa.column("user_id", sa.Integer),
    sa.column("on_behalf", sa.Boolean),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("answers_entered_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("answers_entered_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "answers_entered_on_behalf",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_response_answers_entered_by_id_user_account"),
            "user_account",
            ["answers_entered_by_id"],
            ["id"],
        )
    op.execute(
        response.update()
        .where(sa.exists(_answering().where(revision_table.c.response_id == response.c.id)))
        .values(
            answers_entered_at=_of_entered("created_at"),
            answers_entered_by_id=_of_entered("user_id"),
            answers_entered_on_behalf=_of_entered("on_behalf"),
        )
    )


def _answering() -> sa.Select[Any]:
    return sa.select(revision_table.c.number).where(revision_table.c.action.in_(ANSWERING))


def _of_entered(column: str) -> Any:
    """A column of the revision that entered the response's answers: correlated to the row
    being updated, on SQLite and PostgreSQL alike."""
    chosen, changed, first = (revision_table.alias(name) for name in ("chosen", "changed", "first"))
    last_change = (
        sa.select(sa.func.max(changed.c.number))
        .where(
            changed.c.response_id == response.c.id,
            changed.c.action.in_(ANSWERING),
            sa.cast(changed.c.changes, sa.Text) != "{}",
        )
        .correlate(response)
        .scalar_subquery()
    )
    first_write = (
        sa.select(sa.func.min(first.c.number))
        .where(first.c.response_id == response.c.id, first.c.action.in_(ANSWERING))
        .correlate(response)
        .scalar_subquery()
    )
    return (
        sa.select(chosen.c[column])
        .where(
            chosen.c.response_id == response.c.id,
            chosen.c.number == sa.func.coalesce(last_change, first_write),
        )
        .correlate(response)
        .scalar_subquery()
    )


def downgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_response_answers_entered_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("answers_entered_on_behalf")
        batch_op.drop_column("answers_entered_by_id")
        batch_op.drop_column("answers_entered_at")
