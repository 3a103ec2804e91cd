"""Initial schema: agencies, accounts and roles, OIDC clients, codes and signing keys, and the
outbox/inbox of the shared messaging library.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)
BIGINT_PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    _create_agency()
    _create_account()
    _create_oidc()
    _create_messaging()


def _create_agency() -> None:
    op.create_table(
        "agency",
        sa.Column("id", sa.String(35), nullable=False),
        sa.Column("legacy_id", sa.String(13), nullable=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("parent_id", sa.String(35), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["parent_id"], ["agency.id"], name="fk_agency_parent_id_agency"),
        sa.PrimaryKeyConstraint("id", name="pk_agency"),
        sa.UniqueConstraint("legacy_id", name="uq_agency_legacy_id"),
    )
    op.create_index("ix_agency_parent_id", "agency", ["parent_id"])


def _create_account() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("id_number", sa.String(12), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(8), nullable=True),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("assurance_level", sa.SmallInteger(), nullable=False),
        sa.Column("agency_id", sa.String(35), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint("kind IN ('citizen', 'business', 'official')", name="ck_account_kind"),
        sa.CheckConstraint("sex IN ('male', 'female')", name="ck_account_sex"),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name="fk_account_agency_id_agency"),
        sa.PrimaryKeyConstraint("id", name="pk_account"),
        sa.UniqueConstraint("id_number", name="uq_account_id_number"),
        sa.UniqueConstraint("username", name="uq_account_username"),
    )
    op.create_index("ix_account_agency_id", "account", ["agency_id"])
    op.create_table(
        "account_role",
        sa.Column("account_id", sa.String(36), nullable=False),
        sa.Column("role", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name="fk_account_role_account_id_account",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "role", name="pk_account_role"),
    )


def _create_oidc() -> None:
    op.create_table(
        "client",
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("redirect_uris", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("client_id", name="pk_client"),
    )
    op.create_table(
        "authorization_code",
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(36), nullable=False),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("scope", sa.String(1024), nullable=False),
        sa.Column("nonce", sa.String(512), nullable=True),
        sa.Column("code_challenge", sa.String(128), nullable=True),
        sa.Column("code_challenge_method", sa.String(16), nullable=True),
        sa.Column("auth_time", UTC_DATETIME, nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.Column("used_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name="fk_authorization_code_account_id_account",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.client_id"], name="fk_authorization_code_client_id_client",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("code_hash", name="pk_authorization_code"),
    )
    op.create_index("ix_authorization_code_expires_at", "authorization_code", ["expires_at"])
    op.create_table(
        "signing_key",
        sa.Column("kid", sa.String(64), nullable=False),
        sa.Column("algorithm", sa.String(16), nullable=False),
        sa.Column("private_key_pem", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("kid", name="pk_signing_key"),
    )


def _create_messaging() -> None:
    op.create_table(
        "outbox_event",
        sa.Column("seq", BIGINT_PK, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("published_at", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("seq", name="pk_outbox_event"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_event_id"),
    )
    op.create_index("ix_outbox_event_unpublished", "outbox_event", ["published_at", "seq"])
    op.create_table(
        "inbox_event",
        sa.Column("consumer", sa.String(128), nullable=False),
        sa.Column("event_id", sa.String(128), nullable=False),
        sa.Column("processed_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox_event"),
    )


def downgrade() -> None:
    op.drop_table("inbox_event")
    op.drop_index("ix_outbox_event_unpublished", table_name="outbox_event")
    op.drop_table("outbox_event")
    op.drop_table("signing_key")
    op.drop_index("ix_authorization_code_expires_at", table_name="authorization_code")
    op.drop_table("authorization_code")
    op.drop_table("client")
    op.drop_table("account_role")
    op.drop_index("ix_account_agency_id", table_name="account")
    op.drop_table("account")
    op.drop_index("ix_agency_parent_id", table_name="agency")
    op.drop_table("agency")
