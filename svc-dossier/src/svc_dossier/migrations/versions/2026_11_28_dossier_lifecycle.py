"""dossier lifecycle

The dossier lifecycle: the history of actions (one row per action, status before and after,
actor, reason, internal note, data) and the hand-over hops between units with their own
deadlines (form 05).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "dossier_history",
        sa.Column("id", BIGINT, autoincrement=True, nullable=False),
        sa.Column("dossier_id", BIGINT, nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.SmallInteger(), nullable=True),
        sa.Column("to_status", sa.SmallInteger(), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_agency_id", sa.String(length=35), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossier.id"],
                                name=op.f("fk_dossier_history_dossier_id_dossier")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_history")),
    )
    with op.batch_alter_table("dossier_history", schema=None) as batch_op:
        batch_op.create_index("uq_dossier_history_dossier_sequence",
                              ["dossier_id", "sequence"], unique=True)
    op.create_table(
        "dossier_hop",
        sa.Column("id", BIGINT, autoincrement=True, nullable=False),
        sa.Column("dossier_id", BIGINT, nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("from_agency_id", sa.String(length=35), nullable=False),
        sa.Column("to_agency_id", sa.String(length=35), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handed_on_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossier.id"],
                                name=op.f("fk_dossier_hop_dossier_id_dossier")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_hop")),
    )
    with op.batch_alter_table("dossier_hop", schema=None) as batch_op:
        batch_op.create_index("uq_dossier_hop_dossier_sequence",
                              ["dossier_id", "sequence"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("dossier_hop", schema=None) as batch_op:
        batch_op.drop_index("uq_dossier_hop_dossier_sequence")
    op.drop_table("dossier_hop")
    with op.batch_alter_table("dossier_history", schema=None) as batch_op:
        batch_op.drop_index("uq_dossier_history_dossier_sequence")
    op.drop_table("dossier_history")
