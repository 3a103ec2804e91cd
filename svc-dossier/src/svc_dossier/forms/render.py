"""Drawing the forms with reportlab's platypus (no hand-written PDF): A4, the national motto
header, Vietnamese dates, the signature block. ``render`` answers the PDF bytes and, for forms
signed by the agency, where the visible signature goes (the space between the signer's title
and name, DOMAIN §5)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from egov_shared.pdf import fonts
from svc_dossier.forms.schemas import (
    AnyForm,
    ApologySlip,
    ControlSheet,
    Issuer,
    Receipt,
    RefusalSlip,
    Register,
    SupplementSlip,
)
from svc_dossier.forms.wording import BLANK, day_words, moment_words, place_and_date, short_moment

TITLES: dict[type, tuple[str, str]] = {  # form → (number, title)
    Receipt: ("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    SupplementSlip: ("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    RefusalSlip: ("03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
    ApologySlip: ("04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
    ControlSheet: ("05", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
    Register: ("06", "Sổ theo dõi hồ sơ"),
}
CHANNELS = {"counter": "trực tiếp tại bộ phận một cửa", "online": "trực tuyến",
            "post": "qua dịch vụ bưu chính công ích"}
HOP_OUTCOMES = {"on_time": "Đúng hạn", "late": "Quá hạn", "open": "Đang xử lý",
                "open_late": "Đang xử lý, quá hạn"}
TIMELINESS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}
STAMP_SIZE = (62 * mm, 24 * mm)


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    title: str
    stamp_page: int | None = None  # 0-based page of the signature space, if any
    stamp_box: tuple[float, float, float, float] | None = None


class Styles:
    def __init__(self) -> None:
        family = fonts.register()
        base = ParagraphStyle("base", fontName=family, fontSize=13, leading=17,
                              alignment=TA_JUSTIFY, spaceAfter=3)
        self.body = base
        self.centre = ParagraphStyle("centre", base, alignment=TA_CENTER, spaceAfter=0)
        self.bold_centre = ParagraphStyle("bold_centre", self.centre, fontName=fonts.BOLD)
        self.right = ParagraphStyle("right", base, alignment=TA_RIGHT)
        self.title = ParagraphStyle("title", self.bold_centre, fontSize=14, leading=19,
                                    spaceBefore=10, spaceAfter=8)
        self.small = ParagraphStyle("small", base, fontSize=11, leading=14, spaceAfter=0)
        self.cell = ParagraphStyle("cell", base, fontSize=10, leading=12.5, spaceAfter=0,
                                   alignment=0)
        self.head_cell = ParagraphStyle("head_cell", self.cell, fontName=fonts.BOLD,
                                        alignment=TA_CENTER)


def p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def label(name: str, value: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(f"{escape(name)}: <b>{escape(value)}</b>", style)


class SignatureSpace(Flowable):
    """Blank space for the signature; remembers where it was drawn (page and box)."""

    def __init__(self, width: float, height: float) -> None:
        super().__init__()
        self.width, self.height = width, height
        self.page: int | None = None
        self.box: tuple[float, float, float, float] | None = None

    def draw(self) -> None:
        x1, y1 = self.canv.absolutePosition(0, 0)
        self.page = self.canv.getPageNumber() - 1
        self.box = (x1, y1, x1 + self.width, y1 + self.height)


def header(issuer: Issuer, s: Styles, width: float) -> Table:
    left = [p(issuer.superior.upper(), s.centre), p(issuer.name.upper(), s.bold_centre),
            p("———", s.centre)]
    right = [p("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", s.bold_centre),
             p("Độc lập - Tự do - Hạnh phúc", s.bold_centre), p("———", s.centre)]
    table = Table([[left, right]], colWidths=[width * 0.42, width * 0.58])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def signatures(s: Styles, width: float, left: tuple[str, str | None] | None,
               right: tuple[str, str | None], space: SignatureSpace) -> Table:
    """Two signature blocks: the applicant's on the left, the officer's (and the stamp)
    on the right: title, "(Ký và ghi rõ họ tên)", the space, the name."""
    def block(title: str, name: str | None, gap: Flowable) -> list[Flowable]:
        return [p(title, s.bold_centre), p("(Ký và ghi rõ họ tên)", s.centre), gap,
                p(name or "", s.bold_centre)]
    lhs = block(left[0], left[1], Spacer(1, space.height)) if left else []
    table = Table([[lhs, block(right[0], right[1], space)]],
                  colWidths=[width * 0.45, width * 0.55])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def dossier_lines(form: Receipt | SupplementSlip | RefusalSlip | ApologySlip | ControlSheet,
                  s: Styles) -> list[Flowable]:
    d = form.dossier
    lines = [label("Mã hồ sơ", d.code, s.body),
             label("Ông/Bà", d.applicant_name, s.body)]
    if d.applicant_id_number:
        lines.append(label("Số định danh cá nhân", d.applicant_id_number, s.body))
    if d.applicant_phone:
        lines.append(label("Số điện thoại", d.applicant_phone, s.body))
    if d.representative:
        lines.append(label("Người nộp thay (được ủy quyền)", d.representative, s.body))
    lines.append(label("Thủ tục hành chính", f"{d.procedure_name} ({d.procedure_code})", s.body))
    return lines


def receipt_body(form: Receipt, s: Styles, width: float, space: SignatureSpace) -> list[Any]:
    body: list[Any] = [p(f"{form.issuer.name} đã tiếp nhận hồ sơ "
                         f"({CHANNELS.get(form.channel, form.channel)}) của:", s.body)]
    body += dossier_lines(form, s)
    body.append(p("Thành phần hồ sơ nộp gồm:", s.body))
    body += [p(f"{n}. {name}", s.body) for n, name in enumerate(form.components, 1)] or [
        p(BLANK, s.body)]
    body += [label("Thời gian tiếp nhận", moment_words(form.received_at), s.body),
             label("Thời gian hẹn trả kết quả", moment_words(form.due_at), s.body),
             p("Vào Sổ theo dõi hồ sơ, Quyển số: ……… Số thứ tự: ………", s.body), Spacer(1, 6),
             signatures(s, width, ("NGƯỜI NỘP HỒ SƠ", form.dossier.applicant_name),
                        ("NGƯỜI TIẾP NHẬN HỒ SƠ", form.officer), space)]
    return body


def supplement_body(form: SupplementSlip, s: Styles, width: float,
                    space: SignatureSpace) -> list[Any]:
    body: list[Any] = [p(f"Ngày {short_moment(form.requested_at)}, {form.issuer.name} tiếp "
                         "nhận, giải quyết hồ sơ của:", s.body), *dossier_lines(form, s)]
    body += [label("Lý do yêu cầu bổ sung, hoàn thiện", form.reason, s.body),
             p("Nội dung cần bổ sung, hoàn thiện:", s.body),
             *[p(f"{n}. {item}", s.body) for n, item in enumerate(form.missing, 1)],
             p("Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ với người "
               "tiếp nhận hồ sơ để được hướng dẫn. Thời gian bổ sung không tính vào thời hạn "
               "giải quyết hồ sơ.", s.body), Spacer(1, 6),
             signatures(s, width, None, ("NGƯỜI HƯỚNG DẪN", form.officer), space)]
    return body


def refusal_body(form: RefusalSlip, s: Styles, width: float,
                 space: SignatureSpace) -> list[Any]:
    return [p(f"{form.issuer.name} xin thông báo không tiếp nhận, giải quyết hồ sơ của:",
              s.body), *dossier_lines(form, s),
            label("Lý do từ chối", form.reason, s.body),
            label("Thời gian", moment_words(form.refused_at), s.body),
            p("Xin thông báo để Ông/Bà được biết và thực hiện.", s.body), Spacer(1, 6),
            signatures(s, width, None, ("NGƯỜI TIẾP NHẬN HỒ SƠ", form.officer), space)]


def apology_body(form: ApologySlip, s: Styles, width: float,
                 space: SignatureSpace) -> list[Any]:
    return [p(f"{form.issuer.name} tiếp nhận hồ sơ của:", s.body), *dossier_lines(form, s),
            label("Thời gian hẹn trả kết quả trước đây", moment_words(form.due_before), s.body),
            label("Lý do chậm trả kết quả", form.reason, s.body),
            p(f"{form.issuer.name} xin lỗi Ông/Bà vì đã trả kết quả chậm so với thời gian đã "
              "hẹn, và hẹn lại thời gian trả kết quả:", s.body),
            p(moment_words(form.new_due_at), s.bold_centre), Spacer(1, 4),
            p("Rất mong nhận được sự thông cảm của Ông/Bà.", s.body), Spacer(1, 6),
            signatures(s, width, None, ("THỦ TRƯỞNG CƠ QUAN", None), space)]


def cell_table(s: Styles, heads: list[str], rows: list[list[str]],
               widths: list[float]) -> Table:
    data = [[p(h, s.head_cell) for h in heads]] + [[p(c, s.cell) for c in r] for r in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def control_body(form: ControlSheet, s: Styles, width: float,
                 space: SignatureSpace) -> list[Any]:
    rows = [[str(h.sequence), h.from_unit, h.to_unit, short_moment(h.received_at),
             short_moment(h.deadline_at), short_moment(h.handed_on_at),
             HOP_OUTCOMES[h.outcome]] for h in form.hops]
    heads = ["Bước", "Đơn vị giao", "Đơn vị nhận", "Thời gian nhận", "Hạn xử lý",
             "Thời gian chuyển tiếp", "Kết quả"]
    fractions = [0.07, 0.2, 0.2, 0.14, 0.14, 0.14, 0.11]
    body: list[Any] = [*dossier_lines(form, s),
                       label("Thời gian tiếp nhận", moment_words(form.received_at), s.body),
                       label("Thời gian hẹn trả kết quả", moment_words(form.due_at), s.body),
                       Spacer(1, 4), cell_table(s, heads, rows, [f * width for f in fractions])]
    if not form.hops:
        body.append(p("Hồ sơ chưa được chuyển xử lý.", s.body))
    if form.completed_at:
        body.append(label("Trả kết quả", f"{moment_words(form.completed_at)} "
                          f"({TIMELINESS.get(form.timeliness or '', '')})", s.body))
    return body


def register_body(form: Register, s: Styles, width: float,
                  space: SignatureSpace) -> list[Any]:
    rows = [[str(n), line.code, line.procedure_name, line.applicant_name,
             short_moment(line.received_at), short_moment(line.due_at),
             short_moment(line.completed_at), line.status,
             TIMELINESS.get(line.timeliness or "", "")]
            for n, line in enumerate(form.lines, 1)]
    heads = ["STT", "Mã hồ sơ", "Tên thủ tục hành chính", "Người nộp", "Ngày tiếp nhận",
             "Ngày hẹn trả", "Ngày trả kết quả", "Trạng thái", "Ghi chú"]
    fractions = [0.04, 0.15, 0.2, 0.13, 0.1, 0.1, 0.1, 0.1, 0.08]
    period = f"Từ {day_words(form.start)} đến {day_words(form.end)}"
    return [p(f"{form.issuer.name} ({form.agency_id})", s.bold_centre), p(period, s.centre),
            Spacer(1, 6), cell_table(s, heads, rows, [f * width for f in fractions]),
            p(f"Tổng số: {len(form.lines)} hồ sơ.", s.body)]


Body = Callable[[Any, Styles, float, SignatureSpace], list[Any]]
BODIES: dict[type, Body] = {Receipt: receipt_body, SupplementSlip: supplement_body,
                            RefusalSlip: refusal_body, ApologySlip: apology_body,
                            ControlSheet: control_body, Register: register_body}


def render(form: AnyForm, *, issued_on: datetime, reference: str) -> Rendered:
    """The form as PDF. ``issued_on`` dates it; ``reference`` (the dossier code or the
    register's agency and period) goes in each page's footer with the page number."""
    number, title = TITLES[type(form)]
    size = landscape(A4) if isinstance(form, Register) else A4
    out, s = BytesIO(), Styles()
    doc = SimpleDocTemplate(out, pagesize=size, leftMargin=30 * mm, rightMargin=15 * mm,
                            topMargin=20 * mm, bottomMargin=20 * mm, title=title,
                            author=form.issuer.name, subject=reference, creator="egov")
    space = SignatureSpace(*STAMP_SIZE)
    story = [header(form.issuer, s, doc.width),
             p(place_and_date(form.issuer.place, issued_on), s.right),
             p(title.upper(), s.title), *BODIES[type(form)](form, s, doc.width, space)]
    footer = f"Mẫu số {number} · {title} · {reference}"
    doc.build(story, onFirstPage=_footer(footer), onLaterPages=_footer(footer))
    return Rendered(out.getvalue(), title, space.page, space.box)


def _footer(text: str) -> Callable[[Any, Any], None]:
    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(fonts.REGULAR, 8)
        canvas.drawString(doc.leftMargin, 10 * mm, f"{text} · Trang {doc.page}")
        canvas.restoreState()
    return draw
