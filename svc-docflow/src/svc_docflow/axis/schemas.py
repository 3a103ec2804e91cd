"""Bodies of the inbound axis endpoint."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from svc_docflow.axis.receive import Outcome

XML_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    media: {"schema": {"type": "string", "description": "An edXML package (QCVN 102:2016)"}}
    for media in ("application/xml", "text/xml")}}}


class AgencyResult(BaseModel):
    """What was done for one receiving agency."""

    agency_id: str
    outcome: Literal["accepted", "refused"]
    status_code: str | None = Field(description="The status package answered: 01 arrived, "
                                    "02 refused, 15/16 recall or update accepted/refused; for a "
                                    "status package, the code recorded")
    document_id: str | None = Field(description="Our id of the document")
    reason: str | None = None


class PackageAnswer(BaseModel):
    kind: Literal["document", "status"]
    external_id: str = Field(description="The package's DocumentId (or the one it answers)")
    business_type: int | None = Field(description="0 new, 1 recall, 2 update, 3 replace")
    results: list[AgencyResult]

    @classmethod
    def of(cls, outcome: Outcome) -> PackageAnswer:
        results = [AgencyResult(agency_id=r.agency_id, outcome="refused"
                                if r.outcome == "refused" else "accepted",
                                status_code=r.status_code, document_id=r.document_id,
                                reason=r.reason) for r in outcome.receipts]
        return cls(kind=outcome.kind, external_id=outcome.external_id,
                   business_type=outcome.business_type, results=results)


class LoggedPackage(BaseModel):
    """A package that came in or went out, and what became of it."""

    id: str
    direction: Literal["in", "out"]
    kind: str
    document_id: str | None
    external_id: str | None
    from_organ_id: str | None
    to_organ_id: str | None
    business_type: int | None
    status_code: str | None
    sha256: str
    size: int
    outcome: str = Field(description="accepted | refused | duplicate | sent | forwarded")
    reason: str | None
    at: datetime
