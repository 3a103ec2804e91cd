"""Rating endpoints. Each states who may call it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from egov_shared.access import access
from egov_shared.app import RuntimeDep, SessionDep
from egov_shared.auth import PrincipalDep
from egov_shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
    problem_responses,
)
from svc_dossier.dossiers import service as dossiers
from svc_dossier.ratings import repository, service
from svc_dossier.ratings.schemas import Rating, RatingIn

router = APIRouter(tags=["ratings"])
Code = Annotated[str, Path(max_length=64)]


@router.post("/api/v1/dossiers/{code}/rating", status_code=201, response_model=Rating,
             openapi_extra=access("authenticated"),
             responses=problem_responses(Unauthorized, Forbidden, NotFound, Conflict,
                                         ValidationFailed))
async def rate(code: Code, body: RatingIn, session: SessionDep, runtime: RuntimeDep,
               principal: PrincipalDep) -> Rating:
    """Access: the applicant of a finished dossier, once (409 ``already_rated``). Scores 1–5
    per category of the satisfaction survey (the five SIPAS elements; ``feedback`` only when
    the applicant sent any); the answer gives each score in words."""
    row = await service.rate(session, runtime.outbox, principal=principal, code=code,
                             rating=body)
    return Rating.of(row)


@router.get("/api/v1/dossiers/{code}/rating", response_model=Rating,
            openapi_extra=access("authenticated"),
            responses=problem_responses(Unauthorized, NotFound))
async def get_rating(code: Code, session: SessionDep, principal: PrincipalDep) -> Rating:
    """Access: whoever may see the dossier (its applicant; officers covering its agency).
    404 ``not_rated`` before the applicant rates it."""
    dossier = await dossiers.load_visible(session, principal, code)
    row = await repository.of_dossier(session, dossier.id)
    if row is None:
        raise NotFound("Hồ sơ chưa được đánh giá.", code="not_rated")
    return Rating.of(row)
