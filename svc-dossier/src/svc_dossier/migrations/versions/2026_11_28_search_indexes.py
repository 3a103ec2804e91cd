"""search indexes

Search indexes (pg_trgm on PostgreSQL).

- Everywhere: the officers' queues, ``(agency_id, status_code, due_at)`` for one agency subtree
  and ``(status_code, due_at)`` for the province-wide due queues (due first).
- PostgreSQL: the ``pg_trgm`` extension and a GIN trigram index on ``dossier.search_text``
  (already folded), which serves ``search_text LIKE '%…%'`` (the ``q`` of the dossier list);
  SQLite gets a plain index of that name (so that the models match both databases);
  on PostgreSQL the agency index uses ``varchar_pattern_ops`` so that the subtree test
  ``agency_id LIKE 'H56.14.%'`` can use it whatever the database's collation.

``CREATE EXTENSION pg_trgm`` needs a role allowed to create it (a superuser, or the database
owner on PostgreSQL 13+ since pg_trgm is a trusted extension). Operators whose service role may
not: run ``CREATE EXTENSION IF NOT EXISTS pg_trgm;`` in the service's database once, as a
superuser, before upgrading; the migration then finds it. Building the indexes locks writes to
``dossier`` while it runs (about a minute per million dossiers on 2 cores).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    postgresql = _postgresql()
    op.create_index(
        "ix_dossier_agency_status_due", "dossier", ["agency_id", "status_code", "due_at"],
        postgresql_ops={"agency_id": "varchar_pattern_ops"},
    )
    op.create_index("ix_dossier_status_due", "dossier", ["status_code", "due_at"])
    if postgresql:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # GIN trigram on PostgreSQL; on SQLite a plain index of the same name, as the models say.
    op.create_index(
        "ix_dossier_search_text_trgm", "dossier", ["search_text"],
        postgresql_using="gin", postgresql_ops={"search_text": "gin_trgm_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_dossier_search_text_trgm", table_name="dossier")
    op.drop_index("ix_dossier_status_due", table_name="dossier")
    op.drop_index("ix_dossier_agency_status_due", table_name="dossier")
