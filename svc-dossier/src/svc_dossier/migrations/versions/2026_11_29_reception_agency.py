"""reception agency

Nơi tiếp nhận: a procedure's dossiers may be received, passed on and returned by another
agency's one-stop shop (the provincial public-administration service centre for the
departments' procedures). The procedure names it; each dossier keeps the one it was submitted
to. Existing rows keep NULL: their own agency's desk.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("procedure", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reception_agency_id", sa.String(35), nullable=True))
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reception_agency_id", sa.String(35), nullable=True))
    op.create_index("ix_dossier_reception_agency", "dossier",
                    ["reception_agency_id", "status_code"],
                    postgresql_ops={"reception_agency_id": "varchar_pattern_ops"})


def downgrade() -> None:
    op.drop_index("ix_dossier_reception_agency", table_name="dossier")
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_column("reception_agency_id")
    with op.batch_alter_table("procedure", schema=None) as batch_op:
        batch_op.drop_column("reception_agency_id")
