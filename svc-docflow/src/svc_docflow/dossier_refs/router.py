"""What docflow knows of a dossier (read by officers preparing its decision document)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from egov_shared.access import access
from egov_shared.app import SessionDep
from egov_shared.auth import Principal, require_roles
from egov_shared.errors import Forbidden, NotFound, Unauthorized, problem_responses
from egov_shared.timeutil import to_vn
from svc_docflow.dossier_refs import repository

router = APIRouter(prefix="/api/v1/documents", tags=["documents"])
DOCUMENT_ROLES = ("clerk", "leader", "processing_officer")


class DossierRef(BaseModel):
    code: str
    procedure_code: str
    agency_id: str
    status_code: int
    submitted_at: datetime
    recorded_at: datetime


@router.get("/dossier-refs/{code}", response_model=DossierRef, openapi_extra=access("official"),
            responses=problem_responses(Unauthorized, Forbidden, NotFound))
async def get_dossier_ref(
    code: str,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require_roles(*DOCUMENT_ROLES))],
) -> DossierRef:
    """Access: clerks, leaders and processing officers of the dossier's agency subtree."""
    row = await repository.get(session, code)
    if row is None or not principal.covers_agency(row.agency_id):
        raise NotFound(f"No dossier {code} is known here.", code="dossier_not_found")
    return DossierRef(
        code=row.code, procedure_code=row.procedure_code, agency_id=row.agency_id,
        status_code=row.status_code, submitted_at=to_vn(row.submitted_at),
        recorded_at=to_vn(row.recorded_at),
    )
