"""Targets: definition by the steering committee, actual values (live from the KPIs and the
766 index of the owner agency over the year's window, or recorded by hand with evidence) and
progress in the committee's classes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import Conflict, NotFound, ValidationFailed
from egov_shared.timeutil import to_vn
from svc_reporting.index766 import service as index766
from svc_reporting.kpis import service as kpis
from svc_reporting.kpis.router import window_bounds
from svc_reporting.targets import repository
from svc_reporting.targets import schemas as s
from svc_reporting.targets.progress import LABELS, progress, year_window
from svc_reporting.targets.sources import INDEX_PREFIX, in_unit, unit_for, value_at


@dataclass
class Actuals:
    """Computes the live figures of a request once per owner and year."""

    session: AsyncSession
    province_id: str
    now: datetime
    trees: dict[tuple[str, int, bool], dict[str, Any]] = field(default_factory=dict)

    async def of(self, row: RowMapping) -> float | None:
        if row["source_kind"] == "manual":
            return row["actual_value"]
        path = row["source_path"]
        tree = await self._tree(row["owner_agency_id"], row["year"],
                                path.startswith(INDEX_PREFIX))
        return in_unit(value_at(tree, path), path)

    async def _tree(self, owner: str, year: int, index: bool) -> dict[str, Any]:
        key = (owner, year, index)
        if key not in self.trees:
            self.trees[key] = await self._compute(owner, year, index)
        return self.trees[key]

    async def _compute(self, owner: str, year: int, index: bool) -> dict[str, Any]:
        first, last = year_window(year)
        window = window_bounds(first, last)
        if index:
            found = await index766.index_for(self.session, agency_id=owner, first=first,
                                             last=last, window=window, version=None,
                                             now=self.now)
            return {"index766": {"total": found.total} | {g.code: g.points
                                                           for g in found.groups}}
        answer = await kpis.kpis(self.session, agency_id=owner, province_id=self.province_id,
                                 first=first, last=last, window=window, now=self.now)
        return answer.model_dump()


async def listing(session: AsyncSession, *, year: int, agency_id: str, actuals: Actuals
                  ) -> s.TargetList:
    targets = [await _shown(row, actuals) for row in await repository.in_year(
        session, year, agency_id)]
    summary = Counter(t.progress_class for t in targets)
    return s.TargetList(year=year, agency_id=agency_id, targets=targets,
                        summary={c: summary[c] for c in LABELS})


async def one(session: AsyncSession, target_id: int, *, principal: Principal,
              actuals: Actuals) -> s.Target:
    return await _shown(await _load(session, target_id, principal), actuals)


async def create(session: AsyncSession, body: s.TargetIn, *, principal: Principal,
                 actuals: Actuals) -> s.Target:
    _check_source(body.unit, body.source)
    by, now = principal.username or principal.subject, actuals.now
    target_id = await repository.insert(session, {
        **body.model_dump(exclude={"source"}), **_source_columns(body.source),
        "created_by": by, "created_at": now, "updated_at": now})
    if target_id is None:
        raise Conflict(f"{body.owner_agency_id} has a target {body.code} in {body.year}.",
                       code="target_exists")
    return await one(session, target_id, principal=principal, actuals=actuals)


async def change(session: AsyncSession, target_id: int, patch: s.TargetPatch, *,
                 principal: Principal, actuals: Actuals) -> s.Target:
    row = await _load(session, target_id, principal)
    # An explicit null clears the note; for the required fields it changes nothing.
    values = {k: v for k, v in patch.model_dump(exclude_unset=True, exclude={"source"}).items()
              if v is not None or k == "note"}
    if patch.source is not None:
        values |= _source_columns(patch.source)
    source = patch.source or _source(row)
    _check_source(values.get("unit", row["unit"]), source)
    await repository.change(session, target_id, values | {"updated_at": actuals.now})
    return await one(session, target_id, principal=principal, actuals=actuals)


async def remove(session: AsyncSession, target_id: int, *, principal: Principal) -> None:
    await _load(session, target_id, principal)
    await repository.remove(session, target_id)


async def record_actual(session: AsyncSession, target_id: int, body: s.ActualIn, *,
                        principal: Principal, actuals: Actuals) -> s.Target:
    row = await _load(session, target_id, principal)
    if row["source_kind"] != "manual":
        raise Conflict("This target follows a KPI: its actual value is computed.",
                       code="target_not_manual")
    if body.evidence_url is None and body.evidence_file is None:
        raise ValidationFailed("Give a link or an uploaded file as evidence.",
                               code="evidence_required")
    await repository.change(session, target_id, {
        "actual_value": body.value, "evidence_note": body.note,
        "evidence_url": None if body.evidence_url is None else str(body.evidence_url),
        "evidence_file": body.evidence_file,
        "recorded_by": principal.username or principal.subject, "recorded_at": actuals.now,
        "updated_at": actuals.now})
    return await one(session, target_id, principal=principal, actuals=actuals)


async def _load(session: AsyncSession, target_id: int, principal: Principal) -> RowMapping:
    """The target, when its owner is in the caller's subtree (404 otherwise, like none)."""
    row = await repository.get(session, target_id)
    if row is None or not principal.covers_agency(row["owner_agency_id"]):
        raise NotFound("No such target.", code="target_not_found")
    return row


def _check_source(unit: str, source: s.KpiSource | s.ManualSource) -> None:
    if isinstance(source, s.ManualSource):
        return
    expected = unit_for(source.path)
    if expected is None:
        raise ValidationFailed(f"No KPI or index figure at {source.path!r}.",
                               code="unknown_source_path")
    if expected != unit:
        raise ValidationFailed(f"{source.path} is measured in {expected}, not {unit}.",
                               code="unit_mismatch")


def _source_columns(source: s.KpiSource | s.ManualSource) -> dict[str, Any]:
    """Changing how the actual is obtained forgets a recorded value and its evidence."""
    path = source.path if isinstance(source, s.KpiSource) else None
    return {"source_kind": source.kind, "source_path": path, "actual_value": None,
            "evidence_note": None, "evidence_url": None, "evidence_file": None,
            "recorded_by": None, "recorded_at": None}


def _source(row: RowMapping) -> s.KpiSource | s.ManualSource:
    if row["source_kind"] == "kpi":
        return s.KpiSource(kind="kpi", path=row["source_path"])
    return s.ManualSource(kind="manual")


async def _shown(row: RowMapping, actuals: Actuals) -> s.Target:
    actual = await actuals.of(row)
    share, klass = progress(actual, row["plan_value"], row["direction"])
    start, end = window_bounds(*year_window(row["year"]))
    return s.Target(
        id=row["id"], year=row["year"], code=row["code"], name=row["name"], unit=row["unit"],
        plan_value=row["plan_value"], direction=row["direction"],
        owner_agency_id=row["owner_agency_id"], source=_source(row), note=row["note"],
        window_start=start, window_end=end, actual=actual, progress=share,
        progress_class=klass, progress_label=LABELS[klass], evidence=_evidence(row),
        created_by=row["created_by"], created_at=to_vn(row["created_at"]),
        updated_at=to_vn(row["updated_at"]))


def _evidence(row: RowMapping) -> s.Evidence | None:
    if row["recorded_at"] is None:
        return None
    return s.Evidence(note=row["evidence_note"], url=row["evidence_url"],
                      file=row["evidence_file"], recorded_by=row["recorded_by"],
                      recorded_at=to_vn(row["recorded_at"]))
