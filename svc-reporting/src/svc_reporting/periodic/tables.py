"""Tables of the periodic part (on the read model's metadata; built by the migrations).

``report_template``: the templates (window rule, deadline, sections). ``periodic_report``: one
row per version of a report for (template, agency, period); version 1 is the original, a
correction is version n+1 with ``corrects`` pointing at the version it replaces. The content is
frozen once the version is submitted. ``report_submission``: the delivery of one version to the
national reporting system, retried with backoff and polled for its decision."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
)

from svc_reporting.models import metadata

report_template = Table(
    "report_template",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("kind", String(16), nullable=False),  # monthly | quarterly | half_year | annual
    Column("start_day", SmallInteger, nullable=False),  # 15: NĐ 09 cut-off; 1: calendar
    Column("cumulative", Boolean, nullable=False),
    Column("deadline_day", SmallInteger, nullable=False),
    Column("deadline_month_offset", SmallInteger, nullable=False),
    Column("sections", JSON, nullable=False),  # list of section names
    Column("recipient", String(40), nullable=False),
    Column("standard", Boolean, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

periodic_report = Table(
    "periodic_report",
    metadata,
    Column("id", String(32), primary_key=True),  # uuid4 hex
    Column("template_code", String(40), ForeignKey("report_template.code"), nullable=False),
    Column("agency_id", String(35), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("period", String(8), nullable=False),
    Column("version", Integer, nullable=False),
    Column("corrects", String(32), ForeignKey("periodic_report.id"), nullable=True),
    Column("correction_reason", Text, nullable=True),
    Column("status", String(16), nullable=False),  # draft | submitted
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("window_end", DateTime(timezone=True), nullable=False),  # 23:59:59 of the last day
    Column("deadline_at", DateTime(timezone=True), nullable=False),
    Column("generated_at", DateTime(timezone=True), nullable=False),
    Column("generated_by", String(128), nullable=False),
    Column("note", Text, nullable=True),  # the officer's explanation (thuyết minh)
    Column("content", JSON, nullable=False),
    Column("content_hash", String(64), nullable=False),  # sha256 of the canonical content
)
Index("uq_periodic_report_version", periodic_report.c.template_code,
      periodic_report.c.agency_id, periodic_report.c.period, periodic_report.c.version,
      unique=True)
Index("ix_periodic_report_agency", periodic_report.c.agency_id, periodic_report.c.period)

report_submission = Table(
    "report_submission",
    metadata,
    Column("report_id", String(32), ForeignKey("periodic_report.id"), primary_key=True),
    # queued | retrying | submitted | accepted | rejected | failed (state.py)
    Column("status", String(16), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("requested_by", String(128), nullable=False),
    Column("late", Boolean, nullable=False),  # requested after the template's deadline
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),  # send or poll
    Column("receipt_id", String(64), nullable=True),  # the national system's MaTiepNhan
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("reason", Text, nullable=True),  # why it was rejected
    Column("last_error", String(500), nullable=True),
)
Index("ix_report_submission_due", report_submission.c.status,
      report_submission.c.next_attempt_at)
