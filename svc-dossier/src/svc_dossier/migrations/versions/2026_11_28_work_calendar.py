"""work calendar

Working hours per agency and the calendar override table.

The override table starts with what the ``holidays`` package lacks for 2026: it knows the swapped
day off (Monday 31 August) but not the make-up working Saturday (22 August). That row is legal
data every deployment needs, not demo data, so the migration adds it (``created_by = 'seed'``);
administrators may delete it like any other override.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

SEED_OVERRIDES = [
    {
        "day": dt.date(2026, 8, 22),
        "kind": "working_day",
        "scope": "*",
        "reason": "Làm bù thứ Bảy 22/8/2026 cho ngày nghỉ thứ Hai 31/8/2026 (dịp Quốc khánh 2/9)",
        "legal_reference": "Thông báo 7393/TB-BNV",
        "created_by": "seed",
        "created_at": dt.datetime(2026, 11, 28, tzinfo=dt.UTC),
    },
]


def upgrade() -> None:
    op.create_table(
        "agency_office_hours",
        sa.Column("agency_id", sa.String(length=35), nullable=False),
        sa.Column("sessions", sa.JSON(), nullable=False),
        sa.Column("minutes_per_day", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("agency_id", name=op.f("pk_agency_office_hours")),
    )
    override = op.create_table(
        "calendar_override",
        sa.Column("id", BIGINT, autoincrement=True, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.String(length=35), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("legal_reference", sa.String(length=255), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_override")),
    )
    with op.batch_alter_table("calendar_override", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_override_scope"), ["scope"], unique=False)
        batch_op.create_index("uq_calendar_override_day_scope", ["day", "scope"], unique=True)
    op.bulk_insert(override, SEED_OVERRIDES)


def downgrade() -> None:
    with op.batch_alter_table("calendar_override", schema=None) as batch_op:
        batch_op.drop_index("uq_calendar_override_day_scope")
        batch_op.drop_index(batch_op.f("ix_calendar_override_scope"))
    op.drop_table("calendar_override")
    op.drop_table("agency_office_hours")
