"""Tables of the steering committee's targets (chỉ tiêu; on the read model's metadata, built
by the migrations). A target's actual value is computed live from a KPI or the 766 index, or
recorded by hand with evidence (the last recording is kept, with who and when)."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from egov_shared.db import BigIntPK
from svc_reporting.models import metadata

target = Table(
    "target",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("year", Integer, nullable=False),
    Column("code", String(40), nullable=False),
    Column("name", String(300), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("plan_value", Float, nullable=False),
    Column("direction", String(8), nullable=False),  # higher | lower (is better)
    Column("owner_agency_id", String(35), nullable=False),
    Column("source_kind", String(8), nullable=False),  # kpi | manual
    Column("source_path", String(80), nullable=True),  # kpi: e.g. rates.online
    Column("note", Text, nullable=True),
    Column("actual_value", Float, nullable=True),  # manual
    Column("evidence_note", Text, nullable=True),
    Column("evidence_url", String(500), nullable=True),
    Column("evidence_file", String(300), nullable=True),
    Column("recorded_by", String(128), nullable=True),
    Column("recorded_at", DateTime(timezone=True), nullable=True),
    Column("created_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("owner_agency_id", "year", "code"),
)
Index("ix_target_year_owner", target.c.year, target.c.owner_agency_id)

__all__ = ["metadata", "target"]
