"""Appearances drawn with reportlab (which embeds the Vietnamese font subset) and brought into
a PDF being written by pyHanko: a one-page PDF held in memory becomes a form XObject."""

from __future__ import annotations

import binascii
import uuid
from io import BytesIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.content import PdfContent
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter


def page_as_xobject(writer: BasePdfFileWriter, pdf: bytes) -> generic.IndirectObject:
    """The first page of ``pdf`` as a form XObject in ``writer`` (its box is the page's)."""
    imported: generic.IndirectObject = writer.import_page_as_xobject(
        PdfFileReader(BytesIO(pdf)))
    return imported


class PdfPage(PdfContent):
    """The first page of a PDF held in memory, as content for a pyHanko stamp (pyHanko's
    ``ImportedPdfPage`` reads a file)."""

    def __init__(self, pdf: bytes) -> None:
        self.pdf = pdf
        super().__init__()

    def render(self) -> bytes:
        xobj = page_as_xobject(self._ensure_writer, self.pdf)
        name = "/Import" + binascii.hexlify(uuid.uuid4().bytes).decode("ascii")
        self.resources.xobject[name] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name.encode("ascii") + b" Do"
