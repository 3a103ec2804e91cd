"""What a report contains: the KPI groups its template lists, computed by ``kpis.service`` for
the agency's subtree over the report's window (the same figures ``GET /api/v1/reports/kpis``
answers for those days), and sections other modules provide.

Hook for another module's section (the 766 index): when a template lists ``index766`` and the
module ``svc_reporting.index766.report_section`` exists with
``async def section(session, *, agency_id: str, first: date, last: date) -> dict | None``,
its answer is the section; until then the section is null."""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from svc_reporting.kpis import service as kpis_service
from svc_reporting.periodic.templates import KPI_SECTIONS, Template
from svc_reporting.periodic.windows import Window

ExtraSection = Callable[..., Awaitable[dict[str, Any] | None]]


def extra_section(name: str) -> ExtraSection | None:
    """The provider of section ``name`` if its module is there (a guarded import)."""
    module_name = f"svc_reporting.{name}.report_section"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name not in (module_name, f"svc_reporting.{name}"):
            raise  # the module is there but broken: say so
        return None
    provider = getattr(module, "section", None)
    return provider if callable(provider) else None


async def compute(session: AsyncSession, *, template: Template, agency_id: str,
                  province_id: str, window: Window, now: datetime) -> dict[str, Any]:
    """The sections of the template, in its order."""
    figures = (await kpis_service.kpis(
        session, agency_id=agency_id, province_id=province_id, first=window.first,
        last=window.last, window=window.kpi_bounds, now=now)).model_dump(mode="json")
    sections: dict[str, Any] = {}
    for name in template.sections:
        if name in KPI_SECTIONS:
            sections[name] = figures[name]
        else:
            provider = extra_section(name)
            sections[name] = (await provider(session, agency_id=agency_id, first=window.first,
                                             last=window.last) if provider else None)
    return sections


def content_hash(content: dict[str, Any]) -> str:
    """sha256 of the canonical JSON (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
