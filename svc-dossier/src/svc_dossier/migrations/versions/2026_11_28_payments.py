"""payments

Online payments through the national payment platform, and the trail of its notifications.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from egov_shared.db import BigIntPK

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payment",
        sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(64), nullable=False, unique=True),
        sa.Column("dossier_id", BigIntPK, sa.ForeignKey("dossier.id"), nullable=False),
        sa.Column("dossier_code", sa.String(64), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("payer_account_id", sa.String(64), nullable=True),
        sa.Column("payment_url", sa.Text(), nullable=True),
        sa.Column("transaction_id", sa.String(64), nullable=True),
        sa.Column("receipt_number", sa.String(32), nullable=True, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_payment_dossier_id", "payment", ["dossier_id"])
    op.create_table(
        "payment_notification",
        sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reference", sa.String(64), nullable=True),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
    )
    op.create_index("ix_payment_notification_reference", "payment_notification",
                    ["reference"])


def downgrade() -> None:
    op.drop_table("payment_notification")
    op.drop_table("payment")
