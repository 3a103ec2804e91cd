"""svc-docflow tables."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, Table

from egov_shared.db import new_metadata
from egov_shared.messaging.tables import define_messaging_tables

metadata = new_metadata()
messaging = define_messaging_tables(metadata)

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
