"""An official document's draft as an A4 PDF laid out as Nghị định 30/2020/NĐ-CP (Phụ lục I)
prescribes: the issuer and the national motto side by side at the top, the number line and the
place-and-date line under them, the type name and summary (trích yếu) centred, the body, then
"Nơi nhận:" bottom left and the signer block bottom right.

The number, the date and the two signatures come later, each without disturbing what was
signed before, so the draft reserves their places: ``layout`` puts form fields there."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from egov_shared.pdf import fonts
from svc_docflow.pdf import layout, stamps

# NĐ 30 margins: top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
MARGINS = {"topMargin": 20 * mm, "bottomMargin": 20 * mm, "leftMargin": 30 * mm,
           "rightMargin": 15 * mm}
TEXT_WIDTH = A4[0] - MARGINS["leftMargin"] - MARGINS["rightMargin"]
HEADER_COLUMNS = (TEXT_WIDTH * 0.42, TEXT_WIDTH * 0.58)
FOOTER_COLUMNS = (TEXT_WIDTH * 0.48, TEXT_WIDTH * 0.52)
LINE_HEIGHT = 18  # the number and date lines
SIGNATURE_SPACE = 32 * mm  # between the signer's position and name: the signatures go here
NUMBER_BLANK = "\u00a0" * 8  # the number is written in later, by the clerk
DATE_BLANK = "\u00a0" * 6
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


@dataclass(frozen=True)
class DraftView:
    """What the draft shows. ``type_name`` is empty for a công văn, whose summary then goes
    under the number as "V/v …"; ``notation`` is what follows the number ("QĐ-STP")."""

    issuer_parent: str | None
    issuer_name: str
    type_name: str
    notation: str
    place: str
    subject: str
    body: str
    recipients: list[str]
    signer_competence: str | None
    signer_position: str
    signer_name: str
    urgency_label: str | None
    secrecy_label: str | None


class Styles:
    def __init__(self) -> None:
        regular, bold = fonts.register(), fonts.BOLD
        self.centre = ParagraphStyle("centre", fontName=regular, fontSize=13, leading=16,
                                     alignment=TA_CENTER)
        self.bold_centre = ParagraphStyle("bold_centre", self.centre, fontName=bold)
        self.motto = ParagraphStyle("motto", self.bold_centre, fontSize=12.5)
        self.summary = ParagraphStyle("summary", self.centre, fontSize=12.5, leading=15)
        self.title = ParagraphStyle("title", self.bold_centre, fontSize=14, leading=18)
        self.body = ParagraphStyle("body", self.centre, fontSize=14, leading=19,
                                   alignment=TA_JUSTIFY, firstLineIndent=10 * mm, spaceAfter=6)
        self.recipients_head = ParagraphStyle("recipients_head", self.bold_centre, fontSize=12,
                                              leading=14, alignment=TA_LEFT)
        self.recipient = ParagraphStyle("recipient", self.centre, fontSize=11, leading=13,
                                        alignment=TA_LEFT)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


class Rule(Flowable):
    """A centred horizontal line (under the issuer, the motto and the title)."""

    def __init__(self, width: float, length: float) -> None:
        super().__init__()
        self.width, self.length, self.height = width, length, 7.0

    def draw(self) -> None:  # low enough to clear the descenders and dots below (ụ, ạ)
        start = (self.width - self.length) / 2
        self.canv.setLineWidth(0.6)
        self.canv.line(start, 2, start + self.length, 2)


class Slot(Flowable):
    """A reserved place, with centred placeholder text, that remembers where it was drawn:
    the field that will hold the number, the date or the signatures goes exactly there."""

    def __init__(self, width: float, height: float, text: str = "") -> None:
        super().__init__()
        self.width, self.height, self.text = width, height, text
        self.placed: layout.Placed | None = None

    def draw(self) -> None:
        x, y = self.canv.absolutePosition(0, 0)
        box = (x, y, x + self.width, y + self.height)
        self.placed = layout.Placed(self.canv.getPageNumber() - 1, box)
        if self.text:  # drawn as stamps.line draws the filled-in line, which covers it
            stamps.centred_line(self.canv, self.width, self.height, self.text)


def _issuer(view: DraftView, s: Styles) -> list[Flowable]:
    width = HEADER_COLUMNS[0]
    parent = [_p(view.issuer_parent.upper(), s.centre)] if view.issuer_parent else []
    name_width = stringWidth(view.issuer_name.upper(), fonts.BOLD, 13)
    return [*parent, _p(view.issuer_name.upper(), s.bold_centre),
            Rule(width, min(name_width, width) / 2)]


def _motto(s: Styles) -> list[Flowable]:
    width = HEADER_COLUMNS[1]
    return [_p(MOTTO[0], s.motto), _p(MOTTO[1], s.bold_centre),
            Rule(width, stringWidth(MOTTO[1], fonts.BOLD, 13))]


def _labels(view: DraftView, s: Styles) -> list[Flowable]:
    """Secrecy and urgency marks, boxed, under the number (NĐ 30, ô 10a and 10b)."""
    marks = [label for label in (view.secrecy_label, view.urgency_label) if label]
    flowables: list[Flowable] = []
    for mark in marks:
        width = stringWidth(mark.upper(), fonts.BOLD, 13) + 12
        table = Table([[_p(mark.upper(), s.bold_centre)]], colWidths=[width])
        table.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1, "black")]))
        flowables += [Spacer(1, 4), table]
    return flowables


def _number_line(view: DraftView) -> str:
    return f"Số:{NUMBER_BLANK}/{view.notation}"


def _date_line(view: DraftView) -> str:
    return f"{view.place}, ngày{DATE_BLANK}tháng{DATE_BLANK}năm{DATE_BLANK}"


class Slots:
    """The places a draft reserves, filled in with where they were drawn once built."""

    def __init__(self, view: DraftView) -> None:
        self.number = Slot(HEADER_COLUMNS[0], LINE_HEIGHT, _number_line(view))
        self.date = Slot(HEADER_COLUMNS[1], LINE_HEIGHT, _date_line(view))
        self.signature = Slot(FOOTER_COLUMNS[1], SIGNATURE_SPACE)

    def placements(self) -> layout.Placements:
        number, date, signature = self.number.placed, self.date.placed, self.signature.placed
        if number is None or date is None or signature is None:  # reportlab drew them all
            raise RuntimeError("a reserved place of the draft was not drawn")
        return layout.Placements(number=number, date=date, signature=signature)


def _header(view: DraftView, s: Styles, slots: Slots) -> Table:
    """Two rows, so that the number and the date lines share a baseline whatever the issuer
    block's height."""
    under_number: list[Flowable] = [slots.number]
    if not view.type_name:  # a công văn: its summary goes under the number
        under_number.append(_p(f"V/v {view.subject}", s.summary))
    table = Table([[_issuer(view, s), _motto(s)],
                   [under_number + _labels(view, s), [slots.date]]],
                  colWidths=list(HEADER_COLUMNS))
    table.setStyle(_TIGHT)
    return table


def _title(view: DraftView, s: Styles) -> list[Flowable]:
    if not view.type_name:
        return [Spacer(1, 14)]
    return [Spacer(1, 16), _p(view.type_name.upper(), s.title), _p(view.subject, s.title),
            Rule(TEXT_WIDTH, 40 * mm), Spacer(1, 10)]


def _body(view: DraftView, s: Styles) -> list[Flowable]:
    """Blank lines separate paragraphs; a single line break stays a line break."""
    text = view.body.replace("\r\n", "\n")
    paragraphs = [part.strip() for part in text.split("\n\n") if part.strip()]
    return [Paragraph(escape(part).replace("\n", "<br/>"), s.body) for part in paragraphs]


def _footer(view: DraftView, s: Styles, slots: Slots) -> Table:
    recipients = [_p("Nơi nhận:", s.recipients_head),
                  *(_p(f"- {name}", s.recipient) for name in view.recipients)]
    competence = [_p(view.signer_competence.upper(), s.bold_centre)] \
        if view.signer_competence else []
    signer = [*competence, _p(view.signer_position.upper(), s.bold_centre), slots.signature,
              _p(view.signer_name, s.bold_centre)]
    table = Table([[recipients, signer]], colWidths=list(FOOTER_COLUMNS))
    table.setStyle(_TIGHT)
    return table


_TIGHT = TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                     ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                     ("LEFTPADDING", (0, 0), (-1, -1), 0),
                     ("RIGHTPADDING", (0, 0), (-1, -1), 0)])


def render_draft(view: DraftView) -> bytes:
    """The draft as PDF bytes, with empty fields for the number, the date, the leader's
    signature and the agency's seal (see ``layout``)."""
    s, slots, out = Styles(), Slots(view), BytesIO()
    story = [_header(view, s, slots), *_title(view, s), *_body(view, s), Spacer(1, 12),
             _footer(view, s, slots)]
    document = SimpleDocTemplate(out, pagesize=A4, title=view.subject,
                                 author=view.issuer_name, creator="svc-docflow", **MARGINS)
    with fonts.RENDERING:  # may run in a worker thread beside the loop's stamps
        document.build(story)
    return layout.reserve(out.getvalue(), slots.placements())
