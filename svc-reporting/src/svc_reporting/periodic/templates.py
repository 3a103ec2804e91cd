"""Report templates (mẫu báo cáo) as data: what a report contains, its window rule, its
deadline and where it goes. The standard one-stop-shop reports are seeded at start-up; an
administrator may define more (a sector's cumulative or calendar-month report).

Deadlines (check): NĐ 09/2019 leaves each reporting regime to fix its own deadline; the
one-stop-shop reports to the Government Office are taken here as due on the 20th of the month
in which the window closes (six days after the 14th cut-off). They are data: change a
template, not the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from svc_reporting.periodic.windows import DeadlineRule, Kind, Period, WindowRule

# The KPI document's groups a template may include (kpis.schemas.Kpis), and extra sections
# provided by other modules (sections.py).
KPI_SECTIONS = ("dossiers", "rates", "payments", "digitisation", "satisfaction",
                "processing", "documents", "accounts")
EXTRA_SECTIONS = ("index766",)
NATIONAL_REPORTING = "national-reporting"  # Hệ thống thông tin báo cáo quốc gia
ONE_STOP_SHOP_SECTIONS = ("dossiers", "rates", "payments", "digitisation", "satisfaction",
                          "processing")
_TITLE = "Báo cáo tình hình, kết quả giải quyết TTHC"


@dataclass(frozen=True)
class Template:
    code: str
    name: str
    rule: WindowRule
    deadline: DeadlineRule
    sections: tuple[str, ...]
    recipient: str = NATIONAL_REPORTING
    standard: bool = False

    @property
    def kind(self) -> Kind:
        return self.rule.kind

    def problems(self) -> list[str]:
        """What is wrong with a template an administrator defines (empty: fine)."""
        found = [f"unknown section {s!r}" for s in self.sections
                 if s not in KPI_SECTIONS + EXTRA_SECTIONS]
        if not self.sections:
            found.append("a template needs at least one section")
        if len(set(self.sections)) != len(self.sections):
            found.append("a section is listed twice")
        sample = self.rule.window(Period(self.kind, 2026, 1))
        if self.deadline.due_at(sample) <= sample.end:
            found.append("the deadline falls before the window closes")
        return found


STANDARD: tuple[Template, ...] = (
    Template("TTHC-THANG", f"{_TITLE} hằng tháng", WindowRule("monthly"), DeadlineRule(20),
             ONE_STOP_SHOP_SECTIONS, standard=True),
    Template("TTHC-QUY", f"{_TITLE} hằng quý", WindowRule("quarterly"), DeadlineRule(20),
             ONE_STOP_SHOP_SECTIONS, standard=True),
    Template("TTHC-6THANG", f"{_TITLE} 6 tháng", WindowRule("half_year"), DeadlineRule(20),
             ONE_STOP_SHOP_SECTIONS, standard=True),
    Template("TTHC-NAM", f"{_TITLE} hằng năm", WindowRule("annual"), DeadlineRule(20),
             (*ONE_STOP_SHOP_SECTIONS, "documents", "accounts"), standard=True),
    # A sector's cumulative report by quarter: for 2026-Q3 it is the nine-month report.
    Template("TTHC-LUYKE-QUY", f"{_TITLE} lũy kế từ đầu năm",
             WindowRule("quarterly", cumulative=True), DeadlineRule(20),
             ONE_STOP_SHOP_SECTIONS, standard=True),
)
# The template used when a request names only the kind (DESIGN §3).
DEFAULT_FOR_KIND: dict[Kind, str] = {"monthly": "TTHC-THANG", "quarterly": "TTHC-QUY",
                                     "half_year": "TTHC-6THANG", "annual": "TTHC-NAM"}


def from_row(row: Any) -> Template:
    return Template(row.code, row.name, WindowRule(row.kind, row.start_day, row.cumulative),
                    DeadlineRule(row.deadline_day, row.deadline_month_offset),
                    tuple(row.sections), row.recipient, row.standard)


def to_values(template: Template, now: datetime) -> dict[str, Any]:
    return {"code": template.code, "name": template.name, "kind": template.kind,
            "start_day": template.rule.start_day, "cumulative": template.rule.cumulative,
            "deadline_day": template.deadline.day,
            "deadline_month_offset": template.deadline.month_offset,
            "sections": list(template.sections), "recipient": template.recipient,
            "standard": template.standard, "updated_at": now}
