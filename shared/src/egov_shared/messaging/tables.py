"""Outbox and inbox tables: every service has both in its own database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, DateTime, Index, MetaData, String, Table, Text

from egov_shared.db import BigIntPK


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    inbox: Table
    # Payloads stored once for many outbox rows (``Outbox.add_raw_to_many``): only
    # the services that send one package to many recipients have it.
    payloads: Table | None = None


def define_messaging_tables(metadata: MetaData, *,
                            shared_payloads: bool = False) -> MessagingTables:
    outbox = Table(
        "outbox_event",
        metadata,
        Column("seq", BigIntPK, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("subject", String(255), nullable=False),
        Column("payload", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True),
        Index("ix_outbox_event_unpublished", "published_at", "seq"),
    )
    inbox = Table(
        "inbox_event",
        metadata,
        Column("consumer", String(128), primary_key=True),
        Column("event_id", String(128), primary_key=True),
        Column("processed_at", DateTime(timezone=True), nullable=False),
    )
    payloads = Table(
        "outbox_payload",
        metadata,
        Column("sha256", String(64), primary_key=True),
        Column("payload", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    ) if shared_payloads else None
    return MessagingTables(outbox=outbox, inbox=inbox, payloads=payloads)
