"""procedure catalogue fields

The catalogue's remaining fields: required components (thành phần hồ sơ, each saying whether a
stored document may be reused), the online duration where it differs, the "received after
15:00 counts from the next working day" flag, and the JSON Schema of the application form.
Plain ADD COLUMN with literal server defaults, so SQLite adds them without a table rebuild.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("procedure", schema=None) as batch_op:
        batch_op.add_column(sa.Column("components", sa.JSON(), nullable=False,
                                      server_default="[]"))
        batch_op.add_column(sa.Column("online_duration", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("after_15h_next_day", sa.Boolean(), nullable=False,
                                      server_default="0"))  # a literal: no table rebuild
        batch_op.add_column(sa.Column("form_schema", sa.JSON(), nullable=True))


def downgrade() -> None:
    for column in ("form_schema", "after_15h_next_day", "online_duration", "components"):
        op.drop_column("procedure", column)
