"""Stored questionnaire definitions: survey.definition and the upload drafts (issue 12, part B)

Revision ID: 0003_qstore
Revises: 0002_users14
Create Date: 2026-11-29 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_qstore"
down_revision = "0003_users14b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.add_column(sa.Column("definition", sa.LargeBinary(), nullable=True))
        batch_op.add_column(
            sa.Column("source_name", sa.String(length=255), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("imported_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_survey_imported_by_id_user_account"),
            "user_account",
            ["imported_by_id"],
            ["id"],
        )
    op.create_table(
        "questionnaire_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("definition", sa.LargeBinary(), nullable=False),
        sa.Column("source_name", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_questionnaire_draft_uploaded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_draft")),
    )


def downgrade() -> None:
    op.drop_table("questionnaire_draft")
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_survey_imported_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("imported_by_id")
        batch_op.drop_column("source_name")
        batch_op.drop_column("definition")
