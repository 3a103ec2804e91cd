"""svc-reporting read model: counts, never names (DESIGN §4)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, String, Table

from egov_shared.db import BigIntPK, new_metadata
from egov_shared.messaging.tables import define_messaging_tables

metadata = new_metadata()
messaging = define_messaging_tables(metadata)

# One row per counted fact (a dossier submitted, received, completed on time, …), stamped with
# the time of the event it came from, so any window and any subtree can be counted exactly.
dossier_fact = Table(
    "dossier_fact",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("event_id", String(128), nullable=False),
    Column("metric", String(32), nullable=False),
    Column("dossier_code", String(64), nullable=False),
    Column("agency_id", String(35), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Index("ix_dossier_fact_agency_occurred", "agency_id", "occurred_at"),
    Index("uq_dossier_fact_event_metric", "event_id", "metric", unique=True),
)
