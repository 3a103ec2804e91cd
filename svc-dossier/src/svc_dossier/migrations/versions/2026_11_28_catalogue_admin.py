"""catalogue admin

Catalogue administration and import: ``active`` (procedures are deactivated, never deleted:
dossiers reference them), ``updated_at`` (the last administrator edit or import; NULL means
"as loaded", which lets the demo loader fill new fields without overwriting an edit), the
national field code (MaLinhVuc) and a folded copy of the field name for diacritic-insensitive
filtering. Plain ADD COLUMN with literal server defaults: no table rebuild on SQLite.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from egov_shared.text import fold

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("procedure", schema=None) as batch_op:
        # A literal "1" (true on both backends): an expression default such as sa.true()
        # makes batch mode rebuild the table, which dossier's foreign keys forbid on SQLite.
        batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=False,
                                      server_default="1"))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("field_code", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("field_folded", sa.Text(), nullable=False,
                                      server_default=""))
    _fold_fields()


def _fold_fields() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text('SELECT code, field FROM "procedure"')).all()
    for code, field in rows:
        bind.execute(sa.text('UPDATE "procedure" SET field_folded = :f WHERE code = :c'),
                     {"f": fold(field), "c": code})


def downgrade() -> None:
    for column in ("field_folded", "field_code", "updated_at", "active"):
        op.drop_column("procedure", column)
