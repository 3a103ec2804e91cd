"""Where the number, the date and the two signatures go, kept in the PDF itself as form fields
created (empty) with the draft: later steps fill them in place instead of drawing on the page.

That is what keeps each signature valid through the next steps: filling a field that already
existed (its value and a new appearance) is a change pyHanko's difference analysis classes as
form filling, which an approval signature allows; new page content would not be (DOMAIN §5).
The seal's field locks the number and the date: once the agency has signed, changing them
breaks its signature."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.content import RawContent
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter, copy_into_new_writer
from pyhanko.sign import fields
from reportlab.lib.units import mm

Box = tuple[float, float, float, float]  # x1, y1, x2, y2 in points, origin bottom left

NUMBER_FIELD, DATE_FIELD = "SoKyHieu", "NgayBanHanh"
LEADER_FIELD, SEAL_FIELD = "ChuKyLanhDao", "ChuKyCoQuan"
LEADER_WIDTH = 62 * mm
SEAL_SIZE = 34 * mm  # the seal's diameter
READ_ONLY, PRINT = 1, 4  # field flag Ff bit 1; annotation flag F bit 3
HELVETICA = generic.DictionaryObject({
    pdf_name("/Type"): pdf_name("/Font"), pdf_name("/Subtype"): pdf_name("/Type1"),
    pdf_name("/BaseFont"): pdf_name("/Helvetica"),
    pdf_name("/Encoding"): pdf_name("/WinAnsiEncoding")})


@dataclass(frozen=True)
class Placed:
    page: int  # 0-based
    box: Box


@dataclass(frozen=True)
class Placements:
    """Where render drew the number line, the date line and the signature space."""

    number: Placed
    date: Placed
    signature: Placed


@dataclass(frozen=True)
class SignatureBoxes:
    """The fields' boxes; ``page`` is the signer block's page (0-based). The number and date
    lines are on the first page."""

    leader: Box
    seal: Box
    number: Box
    date: Box
    page: int


def signature_boxes(space: Box) -> tuple[Box, Box]:
    """The leader's signature centred in the space between position and name; the seal
    overlapping the left third of it (DOMAIN §5)."""
    x1, y1, x2, y2 = space
    left = x1 + (x2 - x1 - LEADER_WIDTH) / 2
    leader = (left, y1 + 2, left + LEADER_WIDTH, y2 - 2)
    right, middle = left + LEADER_WIDTH / 3, (y1 + y2) / 2
    seal = (right - SEAL_SIZE, middle - SEAL_SIZE / 2, right, middle + SEAL_SIZE / 2)
    return leader, seal


def reserve(pdf: bytes, places: Placements) -> bytes:
    """``pdf`` (one revision, as reportlab made it) with the four empty fields."""
    writer = copy_into_new_writer(PdfFileReader(BytesIO(pdf)))
    form = _acroform(writer)
    _add_text_field(writer, form, NUMBER_FIELD, places.number)
    _add_text_field(writer, form, DATE_FIELD, places.date)
    leader, seal = signature_boxes(places.signature.box)
    _add_signature_field(writer, LEADER_FIELD, places.signature.page, leader, lock=None)
    # Added last, so that the seal is drawn over the leader's signature.
    _add_signature_field(writer, SEAL_FIELD, places.signature.page, seal,
                         lock=fields.FieldMDPSpec(fields.FieldMDPAction.INCLUDE,
                                                  fields=[NUMBER_FIELD, DATE_FIELD]))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _acroform(writer: BasePdfFileWriter) -> generic.DictionaryObject:
    """The document's form (an uploaded PDF may have one), with a default font for text
    fields: variable text requires one, though our fields' appearances never use it."""
    try:
        form = writer.root["/AcroForm"]
    except KeyError:
        form = generic.DictionaryObject({pdf_name("/Fields"): generic.ArrayObject()})
        writer.root[pdf_name("/AcroForm")] = writer.add_object(form)
    resources = form.setdefault(pdf_name("/DR"), generic.DictionaryObject()).get_object()
    fonts = resources.setdefault(pdf_name("/Font"), generic.DictionaryObject()).get_object()
    fonts.setdefault(pdf_name("/Helv"), writer.add_object(HELVETICA))
    form.setdefault(pdf_name("/DA"), pdf_string("/Helv 0 Tf 0 g"))
    return form


def _add_text_field(writer: BasePdfFileWriter, form: generic.DictionaryObject, name: str,
                    placed: Placed) -> None:
    """A read-only text field merged with its widget (a viewer leaves it alone; the clerk's
    number is written in by ``stamp_number``), with an empty appearance."""
    page_ref = writer.find_page_for_modification(placed.page)[0]
    x1, y1, x2, y2 = placed.box
    empty = RawContent(b"", box=BoxConstraints(width=x2 - x1, height=y2 - y1))
    field = generic.DictionaryObject({
        pdf_name("/FT"): pdf_name("/Tx"), pdf_name("/T"): pdf_string(name),
        pdf_name("/Ff"): generic.NumberObject(READ_ONLY),
        pdf_name("/Type"): pdf_name("/Annot"), pdf_name("/Subtype"): pdf_name("/Widget"),
        pdf_name("/F"): generic.NumberObject(PRINT), pdf_name("/P"): page_ref,
        pdf_name("/Rect"): generic.ArrayObject(generic.FloatObject(v) for v in placed.box),
        pdf_name("/AP"): generic.DictionaryObject(
            {pdf_name("/N"): writer.add_object(empty.as_form_xobject())})})
    ref = writer.add_object(field)
    form["/Fields"].append(ref)
    page = page_ref.get_object()
    if "/Annots" not in page:
        page[pdf_name("/Annots")] = generic.ArrayObject()
    page["/Annots"].append(ref)


def _add_signature_field(writer: BasePdfFileWriter, name: str, page: int, box: Box,
                         lock: fields.FieldMDPSpec | None) -> None:
    x1, y1, x2, y2 = (round(value) for value in box)
    fields.append_signature_field(writer, fields.SigFieldSpec(
        name, on_page=page, box=(x1, y1, x2, y2), field_mdp_spec=lock))


def layout_of(pdf: bytes | PdfFileReader) -> SignatureBoxes:
    """The boxes of a draft made by ``render_draft`` (signed or not), read from its fields
    (``pdf`` may be a reader already open on it). Raises ``ValueError`` for any other PDF."""
    try:
        found = _widgets(pdf if isinstance(pdf, PdfFileReader) else PdfFileReader(BytesIO(pdf)))
    except Exception as exc:  # uploads are hostile input: any parser failure is "not ours"
        raise ValueError("not a draft of svc-docflow: unreadable form") from exc
    missing = {NUMBER_FIELD, DATE_FIELD, LEADER_FIELD, SEAL_FIELD} - found.keys()
    if missing:
        raise ValueError(f"not a draft of svc-docflow: no field {', '.join(sorted(missing))}")
    return SignatureBoxes(leader=found[LEADER_FIELD].box, seal=found[SEAL_FIELD].box,
                          number=found[NUMBER_FIELD].box, date=found[DATE_FIELD].box,
                          page=found[LEADER_FIELD].page)


def _widgets(reader: PdfFileReader) -> dict[str, Placed]:
    """Each top-level field merged with its widget, by name."""
    try:
        form = reader.root["/AcroForm"]
    except KeyError:
        return {}
    pages = _page_numbers(reader)
    found: dict[str, Placed] = {}
    for ref in form.get("/Fields", generic.ArrayObject()):
        field = ref.get_object()
        if "/Rect" in field and "/P" in field:
            box = tuple(float(v) for v in field["/Rect"])
            page = pages.get(field.raw_get("/P").idnum, 0)
            found[str(field["/T"])] = Placed(page, (box[0], box[1], box[2], box[3]))
    return found


def _page_numbers(reader: PdfFileReader) -> dict[int, int]:
    """Page object number → 0-based page index."""
    count = int(reader.root["/Pages"]["/Count"])
    return {reader.find_page_for_modification(index)[0].idnum: index for index in range(count)}
