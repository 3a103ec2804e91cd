"""A report version as a PDF in Vietnamese: the national motto, the title, the heading and the
indicators by group, in the embedded Source Serif face (``egov_shared.pdf.fonts``: every
Vietnamese letter, text that can be copied and searched)."""

from __future__ import annotations

import io
from html import escape
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from egov_shared.pdf.fonts import BOLD, register
from svc_reporting.periodic.exports import heading, rows_of
from svc_reporting.periodic.indicators import SECTION_TITLES, Indicator
from svc_reporting.periodic.schemas import Report

WIDTH = A4[0] - 36 * mm


def _styles() -> dict[str, ParagraphStyle]:
    family = register()
    body = ParagraphStyle("body", fontName=family, fontSize=10, leading=13)
    return {
        "body": body,
        "bold": ParagraphStyle("bold", parent=body, fontName=BOLD),
        "centre": ParagraphStyle("centre", parent=body, fontName=BOLD, alignment=TA_CENTER),
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=13, leading=17,
                                alignment=TA_CENTER, spaceBefore=8, spaceAfter=4),
        "number": ParagraphStyle("number", parent=body, alignment=TA_RIGHT),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _motto(report: Report, st: dict[str, ParagraphStyle]) -> Table:
    left = [_p(f"ĐƠN VỊ: {report.agency_id}", st["centre"])]
    right = [_p("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", st["centre"]),
             _p("Độc lập - Tự do - Hạnh phúc", st["centre"])]
    return Table([[left, right]], colWidths=[WIDTH * 0.38, WIDTH * 0.62])


def _heading(report: Report, st: dict[str, ParagraphStyle]) -> Table:
    rows = [[_p(label, st["bold"]), _p(value, st["body"])] for label, value in heading(report)]
    table = Table(rows, colWidths=[WIDTH * 0.3, WIDTH * 0.7])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _figures(report: Report, st: dict[str, ParagraphStyle]) -> Table:
    rows: list[list[Any]] = [[_p(h, st["centre"]) for h in ("STT", "Chỉ tiêu", "Đơn vị tính",
                                                             "Giá trị")]]
    spans, section = [], ""
    for n, i in enumerate(rows_of(report), start=1):
        if i.section != section:
            section = i.section
            spans.append(len(rows))
            rows.append([_p(SECTION_TITLES.get(section, section), st["bold"]), "", "", ""])
        rows.append(_figure_row(n, i, st))
    table = Table(rows, colWidths=[WIDTH * w for w in (0.08, 0.58, 0.16, 0.18)],
                  repeatRows=1)
    table.setStyle(TableStyle(
        [("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
         ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)]
        + [("SPAN", (0, r), (-1, r)) for r in spans]))
    return table


def _figure_row(n: int, i: Indicator, st: dict[str, ParagraphStyle]) -> list[Any]:
    return [_p(str(n), st["body"]), _p(i.label, st["body"]), _p(i.unit, st["body"]),
            _p(i.shown, st["number"])]


def _page_number(canvas: Canvas, doc: Any) -> None:
    canvas.saveState()
    canvas.setFont(register(), 8)
    canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Trang {doc.page}")
    canvas.restoreState()


def to_pdf(report: Report) -> bytes:
    st = _styles()
    story: list[Flowable] = [
        _motto(report, st), Spacer(1, 6 * mm), _p(report.template_name.upper(), st["title"]),
        _p(f"Kỳ báo cáo: {report.period_label}", st["centre"]), Spacer(1, 4 * mm),
        _heading(report, st), Spacer(1, 5 * mm), _figures(report, st)]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
        bottomMargin=16 * mm, title=report.template_name, author=report.agency_id,
        subject=f"{report.period_label} - phiên bản {report.version}")
    document.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()
