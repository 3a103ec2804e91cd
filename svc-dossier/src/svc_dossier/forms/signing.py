"""PAdES signatures with the agency's organisational certificate, whose key never leaves
svc-identity: pyHanko builds the CMS and asks ``RemoteSigner`` for the raw signature over the
digest of the signed attributes, which svc-identity makes (remote signing, with the officer's
own token). The visible stamp (DOMAIN §5: a red seal with the signer and the signing time in
ISO 8601, Vietnam time) is drawn with reportlab and imported as the widget's appearance."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from xml.sax.saxutils import escape

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.stamp import StaticStampStyle
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame, Paragraph

from egov_shared.pdf import PdfPage, fonts
from egov_shared.pdf import RemoteSigner as SharedRemoteSigner
from svc_dossier.forms.identity import Identity
from svc_dossier.forms.schemas import Stamp

FIELD_NAME = "ChuKyCoQuan"
SEAL_RED = colors.Color(0.85, 0.1, 0.1)


class RemoteSigner(SharedRemoteSigner):
    """The shared remote signer bound to one certificate of svc-identity: each raw signature
    is one call there with the digest to sign."""

    def __init__(self, identity: Identity, certificate_pem: str, serial: str,
                 ca_pem: str) -> None:
        async def sign_digest(digest: bytes, digest_algorithm: str) -> bytes:
            return await identity.sign(serial, digest, digest_algorithm)

        self.identity, self.serial = identity, serial
        super().__init__(sign_digest, certificate_pem=certificate_pem, ca_pem=ca_pem)


def stamp_pdf(stamp: Stamp) -> bytes:
    """The seal's appearance: a red frame, "Ký bởi" the agency, the signing time."""
    x1, y1, x2, y2 = stamp.box
    width, height = x2 - x1, y2 - y1
    out = BytesIO()
    canvas = Canvas(out, pagesize=(width, height))
    canvas.setStrokeColor(SEAL_RED)
    canvas.setLineWidth(1.5)
    canvas.roundRect(1, 1, width - 2, height - 2, 4)
    style = ParagraphStyle("seal", fontName=fonts.register(), fontSize=8, leading=10,
                           alignment=TA_CENTER, textColor=SEAL_RED)
    lines = [f"Ký bởi: {escape(stamp.signer)}",  # paragraph markup: a name is text
             f"Thời gian ký: {stamp.signed_at.isoformat(timespec='seconds')}"]
    Frame(2, 2, width - 4, height - 4, showBoundary=0, topPadding=3).addFromList(
        [Paragraph(line, style) for line in lines], canvas)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


async def sign_pdf(pdf: bytes, *, signer: signers.Signer, stamp: Stamp, page: int,
                   reason: str, location: str) -> bytes:
    """``pdf`` with a PAdES B-B signature in a visible field at ``stamp.box`` on ``page``."""
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason, location=location, name=stamp.signer)
    x1, y1, x2, y2 = (round(v) for v in stamp.box)
    spec = fields.SigFieldSpec(FIELD_NAME, on_page=page, box=(x1, y1, x2, y2))
    pdf_signer = signers.PdfSigner(
        meta, signer, new_field_spec=spec,
        stamp_style=StaticStampStyle(background=PdfPage(stamp_pdf(stamp)), border_width=0))
    out = await pdf_signer.async_sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)))
    return bytes(out.getvalue())


def signing_moment(now: datetime) -> datetime:
    return now.replace(microsecond=0)
