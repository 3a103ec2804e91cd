"""dossier current unit

The unit holding a dossier after a hand-over, so that the officers of a sub-unit see the
dossiers handed to it. Existing dossiers take the target of their last open hop.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.add_column(sa.Column("current_unit", sa.String(35), nullable=True))
    op.execute(
        "UPDATE dossier SET current_unit = (SELECT h.to_agency_id FROM dossier_hop h "
        "WHERE h.dossier_id = dossier.id AND h.handed_on_at IS NULL "
        "ORDER BY h.sequence DESC LIMIT 1)"
    )
    op.create_index("ix_dossier_current_unit", "dossier", ["current_unit"],
                    postgresql_ops={"current_unit": "varchar_pattern_ops"})


def downgrade() -> None:
    op.drop_index("ix_dossier_current_unit", table_name="dossier")
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_column("current_unit")
