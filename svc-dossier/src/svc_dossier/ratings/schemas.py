"""Satisfaction ratings (đánh giá mức độ hài lòng) of finished dossiers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Row

from egov_shared.timeutil import to_vn

# The five elements of the satisfaction survey of public administrative services (SIPAS):
# the national index's satisfaction group is computed from them.
CATEGORIES: dict[str, str] = {
    "access": "Tiếp cận dịch vụ",
    "procedure": "Thủ tục hành chính",
    "officer": "Công chức trực tiếp giải quyết công việc",
    "result": "Kết quả giải quyết công việc",
    "feedback": "Tiếp nhận, xử lý ý kiến góp ý, phản ánh, kiến nghị",
}
SCORE_NAMES: dict[int, str] = {1: "Rất không hài lòng", 2: "Không hài lòng",
                               3: "Bình thường", 4: "Hài lòng", 5: "Rất hài lòng"}
SATISFIED_FROM = 4.0


class Score(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # "5" is not a score

    access: int = Field(ge=1, le=5, description=CATEGORIES["access"])
    procedure: int = Field(ge=1, le=5, description=CATEGORIES["procedure"])
    officer: int = Field(ge=1, le=5, description=CATEGORIES["officer"])
    result: int = Field(ge=1, le=5, description=CATEGORIES["result"])
    feedback: int | None = Field(default=None, ge=1, le=5, description=CATEGORIES["feedback"]
                                 + " (only if the applicant sent any)")


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scores: Score
    comment: str | None = Field(default=None, max_length=2000,
                                description="Góp ý; seen by the agency, never in events")


class Rating(BaseModel):
    dossier_code: str
    scores: dict[str, int]
    labels: dict[str, str] = Field(description="Each score in words, in Vietnamese")
    average: float
    satisfied: bool = Field(description=f"average ≥ {SATISFIED_FROM:g}")
    comment: str | None
    rated_at: datetime

    @classmethod
    def of(cls, row: Row[Any]) -> Rating:
        scores = dict(row.scores)
        return cls(dossier_code=row.dossier_code, scores=scores,
                   labels={k: SCORE_NAMES[v] for k, v in scores.items()},
                   average=row.average, satisfied=row.satisfied, comment=row.comment,
                   rated_at=to_vn(row.rated_at))
