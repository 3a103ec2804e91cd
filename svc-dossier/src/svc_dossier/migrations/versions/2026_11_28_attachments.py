"""attachments

Attachments per component and the personal data store.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from egov_shared.db import BigIntPK

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "datastore_document",
        sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
        sa.Column("owner_account_id", sa.String(64), nullable=True),
        sa.Column("owner_id_number", sa.String(12), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("component_code", sa.String(64), nullable=True),
        sa.Column("procedure_code", sa.String(64), nullable=False),
        sa.Column("dossier_code", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_datastore_document_owner_account_id", "datastore_document",
                    ["owner_account_id"])
    op.create_index("ix_datastore_document_owner_id_number", "datastore_document",
                    ["owner_id_number"])
    op.create_table(
        "attachment",
        sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
        sa.Column("dossier_id", BigIntPK, sa.ForeignKey("dossier.id"), nullable=False),
        sa.Column("component_code", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.String(255), nullable=False),
        sa.Column("datastore_document_id", BigIntPK, sa.ForeignKey("datastore_document.id"),
                  nullable=True),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.Column("uploader_kind", sa.String(16), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_attachment_dossier_id", "attachment", ["dossier_id"])


def downgrade() -> None:
    op.drop_table("attachment")
    op.drop_table("datastore_document")
