"""Attachment representations."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Row

from egov_shared.timeutil import to_vn

# signed: the leader's signed copy of a result (POST …/attachments/{id}/signature)
Source = Literal["upload", "counter_scan", "datastore_reuse", "result", "signed"]


class Attachment(BaseModel):
    id: int
    dossier_code: str
    component_code: str | None = Field(description="Thành phần hồ sơ; null for the result")
    kind: Literal["component", "result"]
    source: Source
    digitised: bool = Field(description="Scanned at the counter (số hóa)")
    filename: str
    media_type: str = Field(description="From the file's magic bytes, not the declared type")
    size: int = Field(description="bytes")
    sha256: str = Field(description="Hex SHA-256 of the bytes, computed while receiving them")
    datastore_document_id: int | None = Field(description="Reused from this stored document")
    uploader_kind: str
    uploaded_by: str | None = Field(description="The uploader's account (officers only)")
    uploaded_at: datetime
    download_url: str

    @classmethod
    def of(cls, row: Row[Any], dossier_code: str, *, for_official: bool) -> Attachment:
        shown = for_official or row.uploader_kind != "official"
        return cls(
            id=row.id, dossier_code=dossier_code, component_code=row.component_code,
            kind=row.kind, source=row.source, digitised=row.source == "counter_scan",
            filename=row.filename, media_type=row.media_type, size=row.size,
            sha256=row.sha256, datastore_document_id=row.datastore_document_id,
            uploader_kind=row.uploader_kind, uploaded_by=row.uploaded_by if shown else None,
            uploaded_at=to_vn(row.uploaded_at),
            download_url=f"/api/v1/dossiers/{dossier_code}/attachments/{row.id}")


class Reuse(BaseModel):
    component: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="Component code")
    document_id: int = Field(ge=1, le=2**62, description="A document of your data store")
