"""The applicant rates a finished dossier, once; the rating feeds the satisfaction group of the
national service index (event ``vn.egov.dossier.rated.v1``, without the comment)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import Conflict, Forbidden
from egov_shared.events.contracts import DOSSIER_RATED
from egov_shared.messaging.outbox import Outbox
from egov_shared.timeutil import utcnow
from svc_dossier.dossiers import service as dossiers
from svc_dossier.dossiers.state import FINISHED, STATUS_NAMES
from svc_dossier.ratings import repository
from svc_dossier.ratings.schemas import SATISFIED_FROM, RatingIn


async def rate(session: AsyncSession, outbox: Outbox, *, principal: Principal, code: str,
               rating: RatingIn) -> Row[Any]:
    dossier = await dossiers.load_visible(session, principal, code)
    if dossier.applicant_account_id != principal.subject:
        raise Forbidden("Chỉ người nộp hồ sơ đánh giá mức độ hài lòng.",
                        code="not_the_applicant")
    if dossier.status_code not in FINISHED:
        raise Conflict("Chỉ đánh giá hồ sơ đã kết thúc (đã trả kết quả, từ chối, rút hoặc "
                       f"dừng); hồ sơ đang “{STATUS_NAMES[dossier.status_code]}”.",
                       code="dossier_not_finished",
                       extra={"current_status_code": dossier.status_code})
    if await repository.of_dossier(session, dossier.id) is not None:
        raise Conflict("Hồ sơ đã được đánh giá.", code="already_rated")
    scores = rating.scores.model_dump(exclude_none=True)
    average = round(sum(scores.values()) / len(scores), 2)
    now = utcnow()
    try:
        async with session.begin_nested():
            await repository.add(session, {
                "dossier_id": dossier.id, "dossier_code": dossier.code,
                "agency_id": dossier.agency_id, "procedure_code": dossier.procedure_code,
                "scores": scores, "average": average, "satisfied": average >= SATISFIED_FROM,
                "comment": rating.comment, "rated_by": principal.subject, "rated_at": now})
    except IntegrityError as exc:  # a concurrent rating of the same dossier won
        raise Conflict("Hồ sơ đã được đánh giá.", code="already_rated") from exc
    await outbox.add(session, DOSSIER_RATED, subject=dossier.code, agency=dossier.agency_id,
                     data={"code": dossier.code, "agency_id": dossier.agency_id,
                           "procedure_code": dossier.procedure_code,
                           "channel": dossier.channel, "scores": scores, "average": average,
                           "satisfied": average >= SATISFIED_FROM, "at": now})
    row = await repository.of_dossier(session, dossier.id)
    assert row is not None
    return row
