"""Personal data store representations."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Row

from egov_shared.timeutil import to_vn


class Document(BaseModel):
    id: int
    title: str = Field(description="The component's name, or “Kết quả: <procedure>”")
    source: Literal["counter_scan", "result"]
    component_code: str | None
    procedure_code: str
    dossier_code: str = Field(description="The dossier it came from")
    filename: str
    media_type: str
    size: int
    sha256: str
    created_at: datetime
    download_url: str

    @classmethod
    def of(cls, row: Row[Any]) -> Document:
        return cls(id=row.id, title=row.title, source=row.source,
                   component_code=row.component_code, procedure_code=row.procedure_code,
                   dossier_code=row.dossier_code, filename=row.filename,
                   media_type=row.media_type, size=row.size, sha256=row.sha256,
                   created_at=to_vn(row.created_at),
                   download_url=f"/api/v1/datastore/documents/{row.id}")
