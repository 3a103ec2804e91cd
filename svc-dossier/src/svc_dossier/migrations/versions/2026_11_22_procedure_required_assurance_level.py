"""procedure required assurance level

A procedure can require a verified account (level of assurance 2) for online submission.
Existing procedures keep level 1 (the server default). Plain ADD/DROP COLUMN on both backends
(SQLite >= 3.35): rebuilding the table, as batch mode does for a CHECK constraint or an
expression default, trips SQLite's foreign keys from dossier to procedure once dossiers exist.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("procedure", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "required_assurance_level",
                sa.SmallInteger(),
                nullable=False,
                server_default="1",  # a literal: SQLite adds it without a rebuild
            )
        )


def downgrade() -> None:
    op.drop_column("procedure", "required_assurance_level")
