"""ratings

Satisfaction ratings: one per dossier, by its applicant, once the dossier is finished.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from egov_shared.db import BigIntPK

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dossier_rating",
        sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
        sa.Column("dossier_id", BigIntPK, sa.ForeignKey("dossier.id"), nullable=False,
                  unique=True),
        sa.Column("dossier_code", sa.String(64), nullable=False),
        sa.Column("agency_id", sa.String(35), nullable=False),
        sa.Column("procedure_code", sa.String(64), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("average", sa.Float(), nullable=False),
        sa.Column("satisfied", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("rated_by", sa.String(64), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_dossier_rating_agency_rated", "dossier_rating", ["agency_id", "rated_at"])


def downgrade() -> None:
    op.drop_table("dossier_rating")
