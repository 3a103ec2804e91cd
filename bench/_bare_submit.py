"""The submission baseline: a bare FastAPI endpoint writing the rows a submission writes (the
per-agency daily sequence, the dossier, the outbox row) with SQLAlchemy in one transaction per
request, on svc-dossier's own database and engine settings. No authentication, validation,
procedure, calendar or history: what is left is the framework and the database.

    BARE_DATABASE_URL=postgresql+asyncpg://… BARE_PORT=… python bench/_bare_submit.py
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import insert as pg_insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from egov_shared.db import create_engine, create_sessionmaker
from egov_shared.timeutil import VN_TZ
from svc_dossier.models import dossier, dossier_sequence, messaging

PROCEDURE = "2.000748.000.00.00.H56"


class Body(BaseModel):
    procedure_code: str = PROCEDURE
    agency_id: str = "H56.14"
    form_data: dict[str, Any] = {}


engine = create_engine(os.environ["BARE_DATABASE_URL"])
sessions = create_sessionmaker(engine)


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.post("/submit", status_code=201)
async def submit(body: Body) -> dict[str, Any]:
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        sequence = (await session.execute(
            pg_insert(dossier_sequence)
            .values(agency_id=body.agency_id, day=now.astimezone(VN_TZ).date(), last_value=1)
            .on_conflict_do_update(index_elements=["agency_id", "day"],
                                   set_={"last_value": dossier_sequence.c.last_value + 1})
            .returning(dossier_sequence.c.last_value))).scalar_one()
        code = f"{body.agency_id}-{now.astimezone(VN_TZ):%y%m%d}-{sequence:04d}"
        row = (await session.execute(insert(dossier).values(
            code=code, procedure_code=body.procedure_code, agency_id=body.agency_id,
            channel="online", status_code=1, applicant_account_id=uuid.uuid4().hex,
            applicant_id_number="038090001234", applicant_name="Nguyễn Văn An",
            search_text=f"{code} nguyen van an cap phieu ly lich tu phap".lower(),
            form_data=body.form_data, submitted_by="bench", submitted_at=now,
            due_at=now + timedelta(days=10)).returning(*dossier.c))).one()
        await session.execute(insert(messaging.outbox).values(
            event_id=uuid.uuid4().hex, subject="dossier.dossier.submitted",
            payload=json.dumps({"code": code, "agency_id": body.agency_id,
                                "procedure_code": body.procedure_code,
                                "submitted_at": now.isoformat(), "pad": "x" * 400}),
            created_at=now))
    return {"code": row.code, "agency_id": row.agency_id, "status_code": row.status_code,
            "submitted_at": row.submitted_at.isoformat(), "form_data": row.form_data}


if __name__ == "__main__":
    workers = int(os.environ.get("BARE_WORKERS", "1"))  # as many as svc-dossier
    if workers > 1:
        uvicorn.run("_bare_submit:app", app_dir=os.path.dirname(os.path.abspath(__file__)),
                    workers=workers, host="127.0.0.1", port=int(os.environ["BARE_PORT"]),
                    log_config=None, access_log=False)
    else:
        uvicorn.run(app, host="127.0.0.1", port=int(os.environ["BARE_PORT"]), log_config=None,
                    access_log=False)
