"""Issuing a document in the order NĐ 30 prescribes, each step an incremental update that
leaves the earlier signatures valid:

1. the leader signs (PAdES B-B, a visible blue signature between position and name);
2. the clerk (văn thư) writes in the number and the date: the draft's read-only text fields
   get a value and an appearance, which pyHanko's difference analysis accepts as form filling
   (modification level FORM_FILLING) after an approval signature;
3. the agency signs (PAdES B-B, the red seal over the left third of the leader's signature);
   its field locks the number and date fields.

The signer is any pyHanko ``Signer``: in the service, svc-identity's remote signer
(``IdentitySigner.remote_signer``); in tests, a local key."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.stamp import StaticStampStyle

from egov_shared.pdf import PdfPage, page_as_xobject
from egov_shared.timeutil import to_vn
from svc_docflow.pdf import stamps
from svc_docflow.pdf.layout import DATE_FIELD, LEADER_FIELD, NUMBER_FIELD, SEAL_FIELD, layout_of


class _SignerAt(signers.PdfSigner):
    """pyHanko takes the signing time (/M, the time PAdES B-B states) from the clock; the
    visible appearance already shows ``signed_at``, so the signature must say the same."""

    def __init__(self, meta: signers.PdfSignatureMetadata, signer: signers.Signer,
                 look: bytes, signed_at: datetime) -> None:
        super().__init__(meta, signer, stamp_style=StaticStampStyle(
            background=PdfPage(look), border_width=0))
        self.signed_at = signed_at

    def init_signing_session(self, pdf_out: BasePdfFileWriter,
                             existing_fields_only: bool = False) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self.signed_at
        return session


def _metadata(field: str, *, name: str, reason: str) -> signers.PdfSignatureMetadata:
    return signers.PdfSignatureMetadata(
        field_name=field, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        name=name, reason=reason)


# Room for the CMS container: without it pyHanko builds every signature twice (a dry run to
# measure it), which was ~40 % of signing. An EC P-256 container with the signer's and the CA's
# certificates takes ~2.5 KB, an RSA-2048 one ~3.5 KB.
SIGNATURE_BYTES = 8192


def _moment(signed_at: datetime) -> datetime:
    """Vietnam time to the second, as the appearance shows it."""
    return (to_vn(signed_at) or signed_at).replace(microsecond=0)


def _writer(pdf: bytes) -> IncrementalPdfFileWriter:
    """The PDF opened once for its layout and its signature; ``ValueError`` for what is not a
    readable PDF (uploads are hostile input)."""
    try:
        return IncrementalPdfFileWriter(BytesIO(pdf))
    except Exception as exc:
        raise ValueError("not a draft of svc-docflow: unreadable PDF") from exc


async def _sign(writer: IncrementalPdfFileWriter, meta: signers.PdfSignatureMetadata,
                signer: signers.Signer, look: bytes, moment: datetime) -> bytes:
    """Signs the draft's existing field (never a new one: its place was reserved)."""
    pdf_signer = _SignerAt(meta, signer, look, moment)
    out = await pdf_signer.async_sign_pdf(writer, existing_fields_only=True,
                                          bytes_reserved=SIGNATURE_BYTES)
    return bytes(out.getvalue())


async def sign_leader(pdf: bytes, *, signer: signers.Signer, name: str, position: str,
                      signed_at: datetime) -> bytes:
    """The leader's PAdES B-B signature, visible in blue between position and name."""
    writer = _writer(pdf)
    moment, box = _moment(signed_at), layout_of(writer.prev).leader
    look = stamps.leader(box, name=name, position=position, signed_at=moment)
    meta = _metadata(LEADER_FIELD, name=name, reason=f"{position} ký ban hành")
    return await _sign(writer, meta, signer, look, moment)


async def sign_agency(pdf: bytes, *, signer: signers.Signer, agency_name: str,
                      signed_at: datetime) -> bytes:
    """The agency's PAdES B-B signature (its seal), visible in red over the left third of
    the leader's signature."""
    writer = _writer(pdf)
    moment, box = _moment(signed_at), layout_of(writer.prev).seal
    look = stamps.seal(box, agency_name=agency_name, signed_at=moment)
    meta = _metadata(SEAL_FIELD, name=agency_name, reason="Chữ ký số của cơ quan, tổ chức")
    return await _sign(writer, meta, signer, look, moment)


async def stamp_number(pdf: bytes, *, number_text: str, date_text: str) -> bytes:
    """The number ("Số: 12/QĐ-STP") and the place and date ("Thanh Hóa, ngày 28 tháng 11 năm
    2026") written into their fields as an incremental update; the leader's signature stays
    valid (form filling). Raises ``ValueError`` for a PDF without those fields."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    _fill(writer, NUMBER_FIELD, number_text)
    _fill(writer, DATE_FIELD, date_text)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _fill(writer: IncrementalPdfFileWriter, name: str, text: str) -> None:
    """A value and a new appearance stream (pyHanko accepts replacing /AP /N with a new
    stream, not rewriting the old one in place)."""
    ref = _field(writer, name)
    field = ref.get_object()
    x1, y1, x2, y2 = (float(value) for value in field["/Rect"])
    field[pdf_name("/V")] = pdf_string(text)
    look = page_as_xobject(writer, stamps.line((x1, y1, x2, y2), text))
    field[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): look})
    writer.mark_update(ref)


def _field(writer: IncrementalPdfFileWriter, name: str) -> generic.IndirectObject:
    try:
        refs = writer.root["/AcroForm"]["/Fields"]
    except KeyError:
        refs = ()
    for ref in refs:
        if ref.get_object().get("/T") == name:
            return ref
    raise ValueError(f"not a draft of svc-docflow: no field {name}")
