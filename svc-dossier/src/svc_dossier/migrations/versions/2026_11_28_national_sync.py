"""national sync

The messages pushed to the national public-service portal (DongBoHoSoMC,
CapNhatTienDoHoSoMC), one row each, in order per dossier.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from egov_shared.db import BigIntPK

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "national_sync",
        sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
        sa.Column("dossier_code", sa.String(64), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status_code", sa.SmallInteger(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=True, unique=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "uq_national_sync_dossier_sequence",
        "national_sync",
        ["dossier_code", "sequence"],
        unique=True,
    )
    op.create_index("ix_national_sync_state_next", "national_sync", ["state", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_national_sync_state_next", table_name="national_sync")
    op.drop_index("uq_national_sync_dossier_sequence", table_name="national_sync")
    op.drop_table("national_sync")
