"""What the fields show once filled (DOMAIN §5): the leader's signature in blue, the agency's
seal in red, the number and the date in the body's typeface. Each is a one-page PDF of the
field's size drawn with reportlab (which embeds the Vietnamese font subset), then imported
as the field's appearance."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame, Paragraph

from egov_shared.pdf import fonts
from egov_shared.timeutil import to_vn
from svc_docflow.pdf.layout import Box

SIGNATURE_BLUE = colors.Color(0.05, 0.2, 0.7)
SEAL_RED = colors.Color(0.85, 0.1, 0.1)
LINE_SIZE = 13  # as the draft's number and date lines


def signing_time_text(moment: datetime) -> str:
    """ISO 8601 in Vietnam time, to the second: "2026-11-28T09:30:00+07:00"."""
    return (to_vn(moment) or moment).replace(microsecond=0).isoformat()


def _drawn(box: Box, draw: Callable[[Canvas, float, float], None]) -> bytes:
    width, height = box[2] - box[0], box[3] - box[1]
    out = BytesIO()
    with fonts.RENDERING:  # the faces are shared with drafts rendered in worker threads
        canvas = Canvas(out, pagesize=(width, height))
        draw(canvas, width, height)
        canvas.showPage()
        canvas.save()
    return out.getvalue()


def _style(name: str, size: float, colour: colors.Color, bold: bool = False) -> ParagraphStyle:
    family = fonts.register()
    return ParagraphStyle(name, fontName=fonts.BOLD if bold else family, fontSize=size,
                          leading=size * 1.25, alignment=TA_CENTER, textColor=colour)


def _paragraphs(canvas: Canvas, frame: tuple[float, float, float, float],
                lines: list[tuple[str, ParagraphStyle]]) -> None:
    x, y, width, height = frame
    Frame(x, y, width, height, showBoundary=0, leftPadding=2, rightPadding=2, topPadding=2,
          bottomPadding=0).addFromList([Paragraph(escape(t), s) for t, s in lines], canvas)


def leader(box: Box, *, name: str, position: str, signed_at: datetime) -> bytes:
    """The signer's name large, then who signed and when, in blue in a thin frame."""
    def draw(canvas: Canvas, width: float, height: float) -> None:
        canvas.setStrokeColor(SIGNATURE_BLUE)
        canvas.setLineWidth(0.8)
        canvas.roundRect(1, 1, width - 2, height - 2, 4)
        _paragraphs(canvas, (2, 2, width - 4, height - 6), [
            (name, _style("signature", 14, SIGNATURE_BLUE, bold=True)),
            (f"Ký bởi: {name}, {position}", _style("by", 7.5, SIGNATURE_BLUE)),
            (f"Thời gian ký: {signing_time_text(signed_at)}", _style("at", 7.5, SIGNATURE_BLUE))])
    return _drawn(box, draw)


def seal(box: Box, *, agency_name: str, signed_at: datetime) -> bytes:
    """A round red seal, transparent inside so that the leader's signature it overlaps still
    shows: two rings, the agency's name, the signing time."""
    def draw(canvas: Canvas, width: float, height: float) -> None:
        radius = min(width, height) / 2
        centre_x, centre_y = width / 2, height / 2
        canvas.setStrokeColor(SEAL_RED)
        canvas.setLineWidth(1.6)
        canvas.circle(centre_x, centre_y, radius - 1.5)
        canvas.setLineWidth(0.6)
        canvas.circle(centre_x, centre_y, radius - 5)
        inner = radius - 5  # text in a band across the middle, inside the inner ring
        width, height = inner * 1.75, inner * 1.1
        _paragraphs(canvas, (centre_x - width / 2, centre_y - height / 2, width, height), [
            (agency_name.upper(), _style("agency", 7.5, SEAL_RED, bold=True)),
            (f"Ký bởi: {agency_name}", _style("by", 5.5, SEAL_RED)),
            (signing_time_text(signed_at), _style("at", 5.5, SEAL_RED))])
    return _drawn(box, draw)


def centred_line(canvas: Canvas, width: float, height: float, text: str) -> None:
    """A number or date line as the draft prints it (and the filled-in field shows it)."""
    canvas.setFont(fonts.register(), LINE_SIZE)
    canvas.drawCentredString(width / 2, height / 2 - LINE_SIZE / 3, text)


@functools.lru_cache(maxsize=64)
def line(box: Box, text: str) -> bytes:
    """The number or the date, on an opaque white ground that covers the draft's blank
    placeholder ("Số:      /QĐ-STP") printed underneath, at the same place. Kept: a day's
    documents of an agency share their date line."""
    def draw(canvas: Canvas, width: float, height: float) -> None:
        canvas.setFillColor(colors.white)
        canvas.rect(0, 0, width, height, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        centred_line(canvas, width, height, text)
    return _drawn(box, draw)
