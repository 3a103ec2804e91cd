"""svc-docflow tables: one metadata, built by the migrations.

Official documents (văn bản) of both directions live in ``document``: outgoing ones (văn bản
đi, drafted here, signed, numbered from an outgoing register, sent) and incoming ones (văn bản
đến, from the axis, uploaded or scanned, registered with an arrival number, assigned,
processed). The PDF bytes are kept in ``document_file`` (one row per version: the draft, each
signature, the numbered copy), so that every step stays inspectable.
"""

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
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)

from egov_shared.db import BigIntPK, new_metadata
from egov_shared.messaging.tables import define_messaging_tables

metadata = new_metadata()
# A package for ten recipients is stored once (outbox_payload), not ten times.
messaging = define_messaging_tables(metadata, shared_payloads=True)

# Dossiers docflow has learnt of: a decision document issued for one will point back to it.
dossier_ref = Table(
    "dossier_ref",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("procedure_code", String(64), nullable=False),
    Column("agency_id", String(35), nullable=False, index=True),
    Column("status_code", Integer, nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

# Sổ đăng ký văn bản: an agency's outgoing or incoming register. ``doc_types`` lists the type
# codes it numbers (NULL: every type no other register of the agency claims), so that an
# agency can keep, e.g., a separate register for decisions.
register = Table(
    "register",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("agency_id", String(35), nullable=False, index=True),
    Column("direction", String(8), nullable=False),  # outgoing | incoming
    Column("name", String(200), nullable=False),
    Column("doc_types", JSON, nullable=True),
    # The issuer part of the notation: "UBND" in 12/QĐ-UBND (outgoing registers).
    Column("issuer_notation", String(30), nullable=True),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("agency_id", "direction", "name"),
)

# The yearly counter of a register: numbers restart at 1 on 1 January (Vietnam time). The row
# is locked from taking a number until commit: numbers are unique and without gaps.
register_counter = Table(
    "register_counter",
    metadata,
    Column("register_id", String(36), ForeignKey("register.id"), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last_number", Integer, nullable=False),
)

document = Table(
    "document",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("agency_id", String(35), nullable=False),  # the agency it belongs to
    Column("direction", String(8), nullable=False),  # outgoing | incoming
    Column("status", String(16), nullable=False),
    Column("doc_type", String(8), nullable=False),  # QĐ, CV (công văn), TB, …
    Column("subject", String(500), nullable=False),  # trích yếu
    Column("subject_folded", String(500), nullable=True),  # fold(subject), for ``q``
    Column("summary", Text, nullable=True),  # nội dung
    Column("urgency", String(16), nullable=False),  # normal | khan | thuong_khan | hoa_toc | …
    Column("secrecy", String(16), nullable=False),  # normal | mat | toi_mat | tuyet_mat
    # Outgoing: the drafting unit's notation (VP in 123/UBND-VP), the signer chosen by the
    # drafter (a leader's account), the recipients in document_recipient.
    Column("unit_notation", String(30), nullable=True),
    Column("signer_id", String(64), nullable=True),
    Column("signer_name", String(200), nullable=True),
    Column("signer_position", String(200), nullable=True),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Number and notation: issued (outgoing) or as the sender wrote them (incoming).
    Column("register_id", String(36), ForeignKey("register.id"), nullable=True),
    Column("year", Integer, nullable=True),
    Column("number", Integer, nullable=True),
    Column("notation", String(100), nullable=True),  # QĐ-UBND, UBND-VP
    Column("issued_at", DateTime(timezone=True), nullable=True),  # promulgation (outgoing)
    Column("promulgation_date", Date, nullable=True),
    Column("due_date", Date, nullable=True),
    # edXML DocumentId ({OrganId},{yyyy/MM/dd},{CodeNumber}/{CodeNotation}).
    Column("external_id", String(300), nullable=True, index=True),
    # Incoming: where it came from, its arrival number in an incoming register, what the
    # signature check found, and the deadline the leader set when assigning it.
    Column("source", String(8), nullable=True),  # axis | upload | paper
    Column("sender_organ_id", String(35), nullable=True),
    Column("sender_name", String(300), nullable=True),
    Column("arrival_register_id", String(36), ForeignKey("register.id"), nullable=True),
    Column("arrival_year", Integer, nullable=True),
    Column("arrival_number", Integer, nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=True),
    Column("signature_report", JSON, nullable=True),
    Column("refusal_reason", Text, nullable=True),
    Column("processing_deadline", Date, nullable=True),
    Column("steering_type", String(30), nullable=True),
    Column("dossier_code", String(64), nullable=True),  # a decision issued for a dossier
    Column("extra", JSON, nullable=True),  # what else a package carried (ToPlaces, OtherInfo)
    UniqueConstraint("register_id", "year", "number"),
    UniqueConstraint("arrival_register_id", "arrival_year", "arrival_number"),
    # One incoming copy of a document per receiving agency.
    UniqueConstraint("agency_id", "direction", "external_id"),
)
Index("ix_document_agency_direction_status", document.c.agency_id, document.c.direction,
      document.c.status)

# PDF versions of a document: the draft, after each signature, the numbered one. ``kind``:
# draft | leader_signed | numbered | issued | incoming | scan | attachment.
document_file = Table(
    "document_file",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("document_id", String(36), ForeignKey("document.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("name", String(255), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("created_by", String(64), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Nơi nhận: each recipient of an outgoing document, on the platform (``agency_id``) or outside
# it (reached through the national axis), with the last status package it answered.
document_recipient = Table(
    "document_recipient",
    metadata,
    Column("document_id", String(36), ForeignKey("document.id"), primary_key=True),
    Column("organ_id", String(35), primary_key=True),  # edXML OrganId (13-character form)
    Column("agency_id", String(35), nullable=True),  # on the platform: its current ID
    Column("name", String(300), nullable=False),
    Column("external", Boolean, nullable=False),
    Column("status_code", String(2), nullable=True),  # 01 … 16, from status packages
    Column("status_description", Text, nullable=True),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=True),
)

# Every step of a document's life: who, what, when (drafted, submitted for review, approved,
# returned, signed, numbered, issued, sent, received, registered, refused, assigned, progress,
# done, recalled, updated, status received).
document_history = Table(
    "document_history",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("document_id", String(36), ForeignKey("document.id"), nullable=False, index=True),
    Column("action", String(32), nullable=False),
    Column("from_status", String(16), nullable=True),
    Column("to_status", String(16), nullable=True),
    Column("actor_id", String(64), nullable=True),
    Column("actor_agency_id", String(35), nullable=True),
    Column("note", Text, nullable=True),
    Column("data", JSON, nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
)

# Phân công xử lý: the units a leader assigned an incoming document to. ``role``: lead (chủ
# trì, exactly one), cooperate (phối hợp), info (để biết). ``status``: assigned | in_progress
# | done.
document_assignment = Table(
    "document_assignment",
    metadata,
    Column("document_id", String(36), ForeignKey("document.id"), primary_key=True),
    Column("unit_id", String(35), primary_key=True),
    Column("role", String(10), nullable=False),
    Column("deadline", Date, nullable=True),
    Column("status", String(12), nullable=False),
    Column("assigned_by", String(64), nullable=False),
    Column("assigned_at", DateTime(timezone=True), nullable=False),
    Column("done_at", DateTime(timezone=True), nullable=True),
)

# Every edXML package that came in or went out: for the audit trail, for idempotency (a
# package delivered twice is registered once) and to answer "what did we send to whom".
axis_package = Table(
    "axis_package",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("direction", String(3), nullable=False),  # in | out
    Column("kind", String(8), nullable=False),  # document | status
    Column("document_id", String(36), ForeignKey("document.id"), nullable=True, index=True),
    Column("external_id", String(300), nullable=True),
    Column("from_organ_id", String(35), nullable=True),
    Column("to_organ_id", String(35), nullable=True),
    Column("business_type", Integer, nullable=True),  # 0 new, 1 recall, 2 update, 3 replace
    Column("status_code", String(2), nullable=True),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("outcome", String(10), nullable=False),  # accepted | refused | sent | duplicate
    Column("reason", Text, nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
)
Index("ix_axis_package_in_sha", axis_package.c.direction, axis_package.c.sha256)
