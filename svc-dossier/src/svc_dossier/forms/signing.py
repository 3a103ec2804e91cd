"""PAdES signatures with the agency's organisational certificate, whose key never leaves
svc-identity: pyHanko builds the CMS and asks ``RemoteSigner`` for the raw signature over the
digest of the signed attributes, which svc-identity makes (remote signing, with the officer's
own token). The visible stamp (DOMAIN §5: a red seal with the signer and the signing time in
ISO 8601, Vietnam time) is drawn with reportlab and imported as the widget's appearance."""

from __future__ import annotations

import binascii
import hashlib
import uuid
from datetime import datetime
from io import BytesIO

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.content import PdfContent
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame, Paragraph

from svc_dossier.forms import fonts
from svc_dossier.forms.identity import Identity
from svc_dossier.forms.schemas import Stamp

FIELD_NAME = "ChuKyCoQuan"
SEAL_RED = colors.Color(0.85, 0.1, 0.1)
MAX_SIGNATURE_BYTES = 512  # room enough for ECDSA and RSA-2048 signatures


def _der(text: str) -> bytes:
    return pem.unarmor(text.encode())[2]


class RemoteSigner(signers.Signer):
    """Each raw signature is one call to svc-identity with the digest to sign."""

    def __init__(self, identity: Identity, certificate_pem: str, serial: str,
                 ca_pem: str) -> None:
        self.identity, self.serial = identity, serial
        root = asn1_x509.Certificate.load(_der(ca_pem))
        super().__init__(signing_cert=asn1_x509.Certificate.load(_der(certificate_pem)),
                         cert_registry=SimpleCertificateStore.from_certs([root]))

    async def async_sign_raw(self, data: bytes, digest_algorithm: str,
                             dry_run: bool = False) -> bytes:
        if dry_run:
            return bytes(MAX_SIGNATURE_BYTES)
        digest = hashlib.new(digest_algorithm, data).digest()
        return await self.identity.sign(self.serial, digest, digest_algorithm)


class _PdfPage(PdfContent):
    """The first page of a PDF held in memory, as a form XObject (pyHanko's
    ``ImportedPdfPage`` reads a file)."""

    def __init__(self, pdf: bytes) -> None:
        self.pdf = pdf
        super().__init__()

    def render(self) -> bytes:
        xobj = self._ensure_writer.import_page_as_xobject(PdfFileReader(BytesIO(self.pdf)))
        name = "/Import" + binascii.hexlify(uuid.uuid4().bytes).decode("ascii")
        self.resources.xobject[name] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name.encode("ascii") + b" Do"


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
    lines = [f"Ký bởi: {stamp.signer}",
             f"Thời gian ký: {stamp.signed_at.isoformat(timespec='seconds')}"]
    Frame(2, 2, width - 4, height - 4, showBoundary=0, topPadding=3).addFromList(
        [Paragraph(line, style) for line in lines], canvas)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


async def sign_pdf(pdf: bytes, *, signer: RemoteSigner, stamp: Stamp, page: int,
                   reason: str, location: str) -> bytes:
    """``pdf`` with a PAdES B-B signature in a visible field at ``stamp.box`` on ``page``."""
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason, location=location, name=stamp.signer)
    x1, y1, x2, y2 = (round(v) for v in stamp.box)
    spec = fields.SigFieldSpec(FIELD_NAME, on_page=page, box=(x1, y1, x2, y2))
    pdf_signer = signers.PdfSigner(
        meta, signer, new_field_spec=spec,
        stamp_style=StaticStampStyle(background=_PdfPage(stamp_pdf(stamp)), border_width=0))
    out = await pdf_signer.async_sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)))
    return bytes(out.getvalue())


def signing_moment(now: datetime) -> datetime:
    return now.replace(microsecond=0)
