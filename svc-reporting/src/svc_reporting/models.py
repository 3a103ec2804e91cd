"""svc-reporting read model: counts and durations, never names (DESIGN §4).

``daily_count`` holds, per agency and Vietnam calendar day, how many times a metric happened
and the sum of its measure (hours, đồng, scores). Every fact is counted for its own agency AND
each ancestor (H56.14.02 → H56.14 → H56), so that an agency's subtree is one key: the province
KPI reads a few thousand rows whatever the number of dossiers, and a breakdown by agency reads
the rows whose ``parent_id`` is the agency asked for.

``open_dossier`` keeps the dossiers received and not yet finished, with their due time, for
"in progress" and "overdue now". Both tables are rebuilt by replaying JetStream
(``python -m svc_reporting rebuild``)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, DateTime, Float, Index, String, Table

from egov_shared.db import new_metadata
from egov_shared.messaging.tables import define_messaging_tables

metadata = new_metadata()
messaging = define_messaging_tables(metadata)

daily_count = Table(
    "daily_count",
    metadata,
    Column("agency_id", String(35), primary_key=True),  # the subtree's root
    Column("day", Date, primary_key=True),  # Asia/Ho_Chi_Minh
    Column("metric", String(40), primary_key=True),
    Column("parent_id", String(35), nullable=True),
    Column("count", BigInteger, nullable=False),
    Column("total", Float, nullable=False),
)
Index("ix_daily_count_parent_day", daily_count.c.parent_id, daily_count.c.day)

open_dossier = Table(
    "open_dossier",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("agency_id", String(35), nullable=False, index=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=True),
)
