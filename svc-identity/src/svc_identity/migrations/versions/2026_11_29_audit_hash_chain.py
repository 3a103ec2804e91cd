"""The audit log becomes tamper-evident: each entry hash-chained (seq, prev_hash, entry_hash),
the owner of the data (a citizen's access log) and the actor's name; the signed seals of the
chain's head. Additive: a previous version still writing entries leaves them unchained, and
the seal job chains them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("actor_name", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("entry_hash", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_event_owner_id"), ["owner_id"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_event_seq"), ["seq"])

    op.create_table(
        "audit_seal",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("jws", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_seal")),
    )
    with op.batch_alter_table("audit_seal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_seal_seq"), ["seq"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_seal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_seal_seq"))
    op.drop_table("audit_seal")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_event_seq"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_audit_event_owner_id"))
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
        batch_op.drop_column("actor_name")
        batch_op.drop_column("owner_id")
