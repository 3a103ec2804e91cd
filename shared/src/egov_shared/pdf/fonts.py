"""The embedded typeface: Source Serif Pro (Adobe, SIL Open Font License 1.1), from the PyPI
package ``font-source-serif-pro``, so that a fresh machine with only Python and pip has it.

Its Regular and Bold TrueType faces cover every Vietnamese letter (precomposed: ơ ư ặ ễ ộ …);
its italic face does not, so our PDFs use no italics. reportlab embeds the subset used, with a
ToUnicode map: the text can be copied and searched.

The registered faces are process-wide objects that reportlab's subsetting mutates while it
writes a PDF: two threads writing at once corrupt them (seen as an ``IndexError`` in
``makeSubset``). Whoever renders off the event loop's thread holds ``RENDERING`` — and so does
the loop's own rendering, for it may overlap.
"""

from __future__ import annotations

import threading
from functools import cache
from importlib.resources import files

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR, BOLD = "SourceSerif", "SourceSerif-Bold"
FONT_PACKAGE = "font_source_serif_pro"
FACES = {REGULAR: "SourceSerifPro-Regular.ttf", BOLD: "SourceSerifPro-Bold.ttf"}
RENDERING = threading.Lock()


@cache
def register() -> str:
    """Registers the faces once per process; answers the family name for paragraph styles."""
    for name, file_name in FACES.items():
        path = files(FONT_PACKAGE).joinpath("files", file_name)
        pdfmetrics.registerFont(TTFont(name, str(path)))
    for bold in (0, 1):
        for italic in (0, 1):  # no Vietnamese italic face: italics fall back to upright
            addMapping(REGULAR, bold, italic, BOLD if bold else REGULAR)
    return REGULAR
