"""outgoing search

A folded copy of a document's subject (trích yếu: lower case, no diacritics, đ → d) for the
diacritic-insensitive ``q`` of the document list, filled for the rows already there. Nullable:
a plain ADD COLUMN, no table rebuild on SQLite.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from egov_shared.text import fold

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject_folded", sa.String(length=500), nullable=True))
    _fold_subjects()


def _fold_subjects() -> None:
    bind = op.get_bind()
    for document_id, subject in bind.execute(sa.text("SELECT id, subject FROM document")).all():
        bind.execute(
            sa.text("UPDATE document SET subject_folded = :f WHERE id = :i"),
            {"f": fold(subject), "i": document_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("subject_folded")
