"""HTTP routes of the agency tree: ``GET /api/v1/agencies`` (public)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from egov_shared.app import SessionDep
from egov_shared.errors import ValidationFailed, problem_responses
from svc_identity.access import access
from svc_identity.agencies import service
from svc_identity.agencies.schemas import AgencyOut
from svc_identity.agencies.validation import AGENCY_ID_MAX_LENGTH, AGENCY_ID_PATTERN

router = APIRouter(prefix="/api/v1", tags=["agencies"])

ParentId = Annotated[
    str | None,
    Query(max_length=AGENCY_ID_MAX_LENGTH, pattern=AGENCY_ID_PATTERN,
          description="Only the direct children of this agency (current-form ID)."),
]


@router.get(
    "/agencies", response_model=list[AgencyOut], openapi_extra=access("public"),
    responses=problem_responses(ValidationFailed),
)
async def list_agencies(session: SessionDep, parent_id: ParentId = None) -> list[AgencyOut]:
    """The agency tree as a flat list; public because citizens choose where to submit."""
    agencies = await service.list_agencies(session, parent_id=parent_id)
    return [AgencyOut.model_validate(a) for a in agencies]
