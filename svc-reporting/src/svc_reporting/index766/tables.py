"""Tables of the 766 index (on the read model's metadata; built by the migrations): the
versions an administrator added (the shipped ones live in ``versions/``), and the values
officers record for the indicators the platform cannot count."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from egov_shared.db import BigIntPK
from svc_reporting.models import metadata

index766_version = Table(
    "index766_version",
    metadata,
    Column("version", String(20), primary_key=True),
    Column("effective_from", Date, nullable=False),
    Column("document", Text, nullable=False),  # the configuration, JSON
    Column("created_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=True),
    # Set by the first index computed with this version: from then on it never changes.
    Column("used_at", DateTime(timezone=True), nullable=True),
)

index766_manual_value = Table(
    "index766_manual_value",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("agency_id", String(35), nullable=False),  # applies to its subtree
    Column("indicator", String(20), nullable=False),
    Column("valid_from", Date, nullable=False),  # Asia/Ho_Chi_Minh
    Column("ratio", Float, nullable=False),
    Column("note", Text, nullable=True),
    Column("evidence_url", String(500), nullable=True),
    Column("recorded_by", String(128), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("agency_id", "indicator", "valid_from"),
)

__all__ = ["index766_manual_value", "index766_version", "metadata"]
