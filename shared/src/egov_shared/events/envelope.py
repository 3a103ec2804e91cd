"""CloudEvents 1.0 structured JSON envelope (DESIGN §4) with the ``agency`` and ``traceparent``
extensions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class CloudEvent(BaseModel):
    model_config = ConfigDict(extra="allow")

    specversion: str = "1.0"
    id: str = Field(min_length=1, max_length=128)
    source: str = Field(min_length=1)
    type: str = Field(min_length=1, pattern=r"^[a-z0-9]+(\.[a-z0-9_]+)+\.v[0-9]+$")
    subject: str | None = None
    time: datetime
    datacontenttype: str = "application/json"
    data: dict[str, Any] = Field(default_factory=dict)
    agency: str | None = None
    traceparent: str | None = None

    def to_json(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()


def new_event(
    *,
    type: str,
    source: str,
    subject: str,
    data: dict[str, Any],
    agency: str | None = None,
    traceparent: str | None = None,
) -> CloudEvent:
    return CloudEvent(
        id=str(uuid.uuid4()),
        source=source,
        type=type,
        subject=subject,
        time=datetime.now(UTC),
        data=data,
        agency=agency,
        traceparent=traceparent,
    )
