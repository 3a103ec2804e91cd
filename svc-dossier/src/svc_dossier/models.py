"""svc-dossier tables: one metadata, built by the migrations."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    false,
    text,
    true,
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
    # Deactivated, never deleted (dossiers reference procedures): not offered for submission.
    Column("active", Boolean, nullable=False, server_default=true()),
    # Last administrator edit or import; NULL: as loaded (the demo loader may fill new fields).
    Column("updated_at", DateTime(timezone=True), nullable=True),
    Column("field_code", String(64), nullable=True),  # national MaLinhVuc
    Column("field_folded", Text, nullable=False, server_default=text("''")),
    # Nơi tiếp nhận: the one-stop shop that receives the dossiers and returns the results (the
    # provincial service centre for the departments' procedures); NULL: the agency's own desk.
    Column("reception_agency_id", String(35), nullable=True),
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
    # The unit holding the dossier after a hand-over (a sub-unit of agency_id): its officers
    # see it and work on it too. NULL while the receiving agency holds it.
    Column("current_unit", String(35), nullable=True),
    # The one-stop shop that received it for agency_id (the procedure's reception agency at
    # submission): its one-stop officers see it, receive it, pass it on and return the result.
    Column("reception_agency_id", String(35), nullable=True),
    Index("ix_dossier_agency_submitted", "agency_id", "submitted_at"),
    Index("ix_dossier_reception_agency", "reception_agency_id", "status_code",
          postgresql_ops={"reception_agency_id": "varchar_pattern_ops"}),
    Index("ix_dossier_current_unit", "current_unit",
          postgresql_ops={"current_unit": "varchar_pattern_ops"}),
    # Officers' queues and the search (migration 0010). The trigram index is GIN on PostgreSQL;
    # SQLite gets a plain one of the same name (unused by LIKE '%…%') so the models match both.
    Index("ix_dossier_agency_status_due", "agency_id", "status_code", "due_at",
          postgresql_ops={"agency_id": "varchar_pattern_ops"}),
    Index("ix_dossier_status_due", "status_code", "due_at"),
    Index("ix_dossier_search_text_trgm", "search_text", postgresql_using="gin",
          postgresql_ops={"search_text": "gin_trgm_ops"}),
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

# Thanh toán trực tuyến: one row per payment opened on the national payment platform.
payment = Table(
    "payment",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("reference", String(64), nullable=False, unique=True),  # MaThamChieu
    Column("dossier_id", BigIntPK, ForeignKey("dossier.id"), nullable=False, index=True),
    Column("dossier_code", String(64), nullable=False),
    Column("amount", Integer, nullable=False),  # integer đồng
    Column("status", String(16), nullable=False),  # pending, paid, failed
    Column("payer_account_id", String(64), nullable=True),
    Column("payment_url", Text, nullable=True),
    Column("transaction_id", String(64), nullable=True),  # MaGiaoDich
    Column("receipt_number", String(32), nullable=True, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("paid_at", DateTime(timezone=True), nullable=True),
)

# Every notification the payment platform sent us, accepted or not (forged, replayed,
# mismatched): the trail an inspector asks for. Never the shared secret.
payment_notification = Table(
    "payment_notification",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("reference", String(64), nullable=True, index=True),
    Column("outcome", String(32), nullable=False),
    Column("ip", String(64), nullable=True),
    Column("body", JSON, nullable=False),
)

# Lifecycle history (một cửa điện tử): one row per action on a dossier, from submission to the
# returned result. Forms 02–05 are derived from it; ``internal`` rows keep officers' notes away
# from the applicant.
dossier_history = Table(
    "dossier_history",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("dossier_id", BigIntPK, ForeignKey("dossier.id"), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("action", String(32), nullable=False),
    Column("from_status", SmallInteger, nullable=True),
    Column("to_status", SmallInteger, nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("actor_kind", String(16), nullable=False),
    Column("actor_agency_id", String(35), nullable=True),
    Column("reason", Text, nullable=True),
    Column("note", Text, nullable=True),  # officers' internal note: never shown to the applicant
    Column("data", JSON, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("uq_dossier_history_dossier_sequence", "dossier_id", "sequence", unique=True),
)

# Hand-overs between units (luân chuyển): one row per hop with its own deadline (form 05).
dossier_hop = Table(
    "dossier_hop",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("dossier_id", BigIntPK, ForeignKey("dossier.id"), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("from_agency_id", String(35), nullable=False),
    Column("to_agency_id", String(35), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("deadline_at", DateTime(timezone=True), nullable=False),
    Column("handed_on_at", DateTime(timezone=True), nullable=True),
    Index("uq_dossier_hop_dossier_sequence", "dossier_id", "sequence", unique=True),
)

# Giờ làm việc: an agency's office hours; an agency without a row inherits its nearest
# ancestor's (IDs nest), else the default 07:00–11:30 / 13:30–17:00.
agency_office_hours = Table(
    "agency_office_hours",
    metadata,
    Column("agency_id", String(35), primary_key=True),
    Column("sessions", JSON, nullable=False),  # {"mon": [["07:00", "11:30"], ...], ...}
    Column("minutes_per_day", Integer, nullable=False),  # what one working day counts
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Swap orders and local decisions: an extra day off or an extra (make-up) working day, with
# its legal reference, for the whole province (scope "*") or one agency's subtree.
calendar_override = Table(
    "calendar_override",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("day", Date, nullable=False),
    Column("kind", String(16), nullable=False),  # day_off | working_day
    Column("scope", String(35), nullable=False, index=True),
    Column("reason", Text, nullable=False),
    Column("legal_reference", String(255), nullable=False),
    Column("created_by", String(64), nullable=False),  # "seed" for rows the migration adds
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("uq_calendar_override_day_scope", "day", "scope", unique=True),
)

# Đánh giá mức độ hài lòng: one per dossier, by its applicant, once it is finished.
dossier_rating = Table(
    "dossier_rating",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("dossier_id", BigIntPK, ForeignKey("dossier.id"), nullable=False, unique=True),
    Column("dossier_code", String(64), nullable=False),
    Column("agency_id", String(35), nullable=False),
    Column("procedure_code", String(64), nullable=False),
    Column("scores", JSON, nullable=False),  # category → 1..5
    Column("average", Float, nullable=False),
    Column("satisfied", Boolean, nullable=False),
    Column("comment", Text, nullable=True),
    Column("rated_by", String(64), nullable=False),
    Column("rated_at", DateTime(timezone=True), nullable=False),
    Index("ix_dossier_rating_agency_rated", "agency_id", "rated_at"),
)

# Thông báo cho người nộp hồ sơ: a citizen's or business's contact and choices (online
# applicants; counter applicants are told at the contact typed at the counter).
notification_preference = Table(
    "notification_preference",
    metadata,
    Column("account_id", String(64), primary_key=True),
    Column("email", String(254), nullable=True),
    Column("phone", String(16), nullable=True),  # E.164, +84…
    Column("email_enabled", Boolean, nullable=False),
    Column("sms_enabled", Boolean, nullable=False),
    Column("muted_events", JSON, nullable=False),  # non-essential kinds the applicant declined
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# One row per message and channel, written with the consumer's inbox row; the dispatcher sends
# it outside any transaction, retrying with a growing delay (pending → sent | failed).
applicant_notification = Table(
    "applicant_notification",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False),
    Column("channel", String(8), nullable=False),  # email | sms
    Column("kind", String(32), nullable=False),  # received, supplement_requested, …
    Column("dossier_code", String(64), nullable=False, index=True),
    Column("recipient", String(254), nullable=False),
    Column("subject", Text, nullable=True),  # email only
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("last_error", String(500), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Index("uq_applicant_notification_event_channel", "event_id", "channel", unique=True),
    Index("ix_applicant_notification_status_next", "status", "next_attempt_at"),
)

# Kho dữ liệu điện tử của tổ chức, cá nhân: an applicant's stored documents (components
# digitised at the counter, electronic results), reusable in later dossiers. The owner is the
# account when known, else the personal ID number (a counter applicant who signs in later with
# a verified account). Bytes live in the blob store under ``storage_key`` (content-addressed).
datastore_document = Table(
    "datastore_document",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("owner_account_id", String(64), nullable=True, index=True),
    Column("owner_id_number", String(12), nullable=True, index=True),
    Column("title", Text, nullable=False),  # the component's or the procedure's name
    Column("component_code", String(64), nullable=True),
    Column("procedure_code", String(64), nullable=False),
    Column("dossier_code", String(64), nullable=False),  # where it came from
    Column("source", String(16), nullable=False),  # counter_scan | result
    Column("filename", String(255), nullable=False),
    Column("media_type", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("storage_key", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Tệp đính kèm: one file of a dossier, for a component (thành phần hồ sơ) or its electronic
# result; ``source`` says how it came: upload | counter_scan | datastore_reuse | result |
# signed (the leader's signed copy of a result).
attachment = Table(
    "attachment",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("dossier_id", BigIntPK, ForeignKey("dossier.id"), nullable=False, index=True),
    Column("component_code", String(64), nullable=True),  # NULL for the result
    Column("kind", String(16), nullable=False),  # component | result
    Column("source", String(16), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("media_type", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("storage_key", String(255), nullable=False),
    Column("datastore_document_id", BigIntPK, ForeignKey("datastore_document.id"),
           nullable=True),
    Column("uploaded_by", String(64), nullable=False),
    Column("uploader_kind", String(16), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
)

# Đồng bộ Cổng Dịch vụ công quốc gia: one row per message to push to the national portal,
# written by the consumer of dossier events with its inbox row (an event delivered twice is
# written once); the sender pushes them in ``sequence`` order per dossier until acknowledged.
# ``next_attempt_at`` is also the claim's lease (a replica that dies mid-push leaves the row to
# be taken again; the portal deduplicates by MaHoSo + SoThuTu).
national_sync = Table(
    "national_sync",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("dossier_code", String(64), nullable=False),  # MaHoSo
    Column("sequence", Integer, nullable=False),  # SoThuTu, 1, 2, … per dossier
    Column("kind", String(16), nullable=False),  # dossier (DongBoHoSoMC) | progress
    Column("status_code", SmallInteger, nullable=False),  # TrangThaiHoSo
    Column("payload", JSON, nullable=False),  # in the national field names
    Column("event_id", String(64), nullable=True, unique=True),  # NULL: a reconciliation
    Column("state", String(16), nullable=False),  # pending | sent
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("last_error", String(500), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Index("uq_national_sync_dossier_sequence", "dossier_code", "sequence", unique=True),
    Index("ix_national_sync_state_next", "state", "next_attempt_at"),
)
