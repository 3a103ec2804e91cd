"""svc-dossier tables: one metadata, built by the migrations."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    false,
    text,
)

from egov_shared.db import BigIntPK, new_metadata
from egov_shared.messaging.tables import define_messaging_tables

metadata = new_metadata()
messaging = define_messaging_tables(metadata)

# Thủ tục hành chính: the procedure catalogue.
procedure = Table(
    "procedure",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("name_folded", Text, nullable=False),
    Column("field", String(255), nullable=False),
    Column("agency_id", String(35), nullable=False, index=True),
    Column("duration", Integer, nullable=False),
    Column("duration_unit", String(16), nullable=False),
    Column("online_level", String(16), nullable=False),
    Column("fees", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Level of assurance an applicant's account needs to submit online: 1 self-declared,
    # 2 verified (chip ID checked at a counter, or confirmed by the population database).
    # No CHECK constraint: adding one makes SQLite rebuild the table, which its foreign keys
    # from dossier forbid once dossiers exist; the API only accepts 1 or 2.
    Column("required_assurance_level", SmallInteger, nullable=False, server_default=text("1")),
    # Thành phần hồ sơ: [{"code", "name", "required", "reusable", "max_bytes", "media_types"}].
    Column("components", JSON, nullable=False, server_default=text("'[]'")),
    Column("online_duration", Integer, nullable=True),  # where online submission is quicker
    # Received after 15:00 counts from the next working day (a per-procedure rule).
    Column("after_15h_next_day", Boolean, nullable=False, server_default=false()),
    Column("form_schema", JSON, nullable=True),  # JSON Schema of the application form
)

# Hồ sơ: a dossier from submission to returned result.
dossier = Table(
    "dossier",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("procedure_code", String(64), ForeignKey("procedure.code"), nullable=False),
    Column("agency_id", String(35), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("applicant_account_id", String(64), nullable=True, index=True),
    Column("applicant_id_number", String(12), nullable=True),
    Column("applicant_name", Text, nullable=True),
    Column("search_text", Text, nullable=False),
    Column("form_data", JSON, nullable=False),
    Column("submitted_by", String(64), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=True),
    Column("due_at", DateTime(timezone=True), nullable=True),
    Column("completed_at", DateTime(timezone=True), nullable=True),
    Column("timeliness", String(16), nullable=True),
    Index("ix_dossier_agency_submitted", "agency_id", "submitted_at"),
)

# Daily per-agency counter behind the dossier code {agency}-{YYMMDD}-{NNNN}.
dossier_sequence = Table(
    "dossier_sequence",
    metadata,
    Column("agency_id", String(35), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("last_value", Integer, nullable=False),
)

# Idempotency-Key replays answer the dossier the first request created.
idempotency_key = Table(
    "idempotency_key",
    metadata,
    Column("principal", String(64), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("dossier_code", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
