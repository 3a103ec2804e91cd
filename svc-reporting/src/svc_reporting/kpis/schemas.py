"""KPI answers (DESIGN §3)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class DossierCounts(BaseModel):
    submitted: int = 0
    received: int = 0
    completed: int = 0
    on_time: int = 0
    late: int = 0
    online: int = 0


class Kpis(BaseModel):
    agency_id: str
    window_start: datetime
    window_end: datetime
    dossiers: DossierCounts
