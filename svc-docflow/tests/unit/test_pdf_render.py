"""The draft of an official document: NĐ 30/2020 layout, Vietnamese text that can be copied
(pypdf extracts it), and the reserved fields for the number, the date and the signatures."""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from svc_docflow.pdf import DraftView, layout_of, render_draft
from svc_docflow.pdf.layout import Placed, Placements, reserve

A4 = (595.28, 841.89)
LEFT, RIGHT = 85.04, 595.28 - 42.52  # the text area: margins of 30 mm left, 15 mm right
TEXT_AREA_CENTRE = (LEFT + RIGHT) / 2
HEADER_RIGHT_COLUMN = LEFT + 0.42 * (RIGHT - LEFT)  # where the motto and the date begin

DECISION = DraftView(
    issuer_parent="UBND TỈNH THANH HÓA", issuer_name="SỞ TƯ PHÁP", type_name="QUYẾT ĐỊNH",
    notation="QĐ-STP", place="Thanh Hóa",
    subject="Về việc phê duyệt Kế hoạch phổ biến, giáo dục pháp luật năm 2027",
    body="Căn cứ Luật Phổ biến, giáo dục pháp luật ngày 20 tháng 6 năm 2012;\n\n"
         "Điều 1. Phê duyệt Kế hoạch phổ biến, giáo dục pháp luật năm 2027.\n\n"
         "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
    recipients=["Như Điều 2;", "UBND tỉnh (để báo cáo);", "Lưu: VT, PBGDPL."],
    signer_competence="KT. GIÁM ĐỐC", signer_position="Phó Giám đốc",
    signer_name="Nguyễn Văn Hùng", urgency_label=None, secrecy_label=None)
LETTER = replace(DECISION, type_name="", notation="STP-VP",
                 subject="Đề nghị cung cấp thông tin về hộ tịch", signer_competence=None,
                 signer_position="Giám đốc", urgency_label="Hỏa tốc", secrecy_label="Mật")


def lines(pdf: bytes, page: int = 0) -> dict[str, tuple[float, float]]:
    """Each line of text on the page → where it starts (x, y of the baseline)."""
    found: dict[str, tuple[float, float]] = {}

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            found.setdefault(text.strip(), (x, y))

    PdfReader(BytesIO(pdf)).pages[page].extract_text(visitor_text=visit)
    return found


@pytest.fixture(scope="module")
def decision() -> bytes:
    return render_draft(DECISION)


class TestDraftText:
    def test_prints_the_motto_the_issuer_the_type_and_the_summary(self, decision: bytes) -> None:
        text = lines(decision)
        for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                         "UBND TỈNH THANH HÓA", "SỞ TƯ PHÁP", "QUYẾT ĐỊNH", DECISION.subject,
                         "Điều 2. Quyết định này có hiệu lực kể từ ngày ký."):
            assert expected in text

    def test_leaves_the_number_and_the_date_blank(self, decision: bytes) -> None:
        text = lines(decision)
        number = next(line for line in text if line.startswith("Số:"))
        date = next(line for line in text if line.startswith("Thanh Hóa, ngày"))
        assert number.endswith("/QĐ-STP") and number.replace("\xa0", " ").split() == [
            "Số:", "/QĐ-STP"]
        assert date.replace("\xa0", " ").split() == ["Thanh", "Hóa,", "ngày", "tháng", "năm"]

    def test_prints_the_recipients_and_the_signer(self, decision: bytes) -> None:
        text = lines(decision)
        for expected in ("Nơi nhận:", "- Như Điều 2;", "- Lưu: VT, PBGDPL.", "KT. GIÁM ĐỐC",
                         "PHÓ GIÁM ĐỐC", "Nguyễn Văn Hùng"):
            assert expected in text

    def test_embeds_the_typeface_on_an_a4_page(self, decision: bytes) -> None:
        page = PdfReader(BytesIO(decision)).pages[0]
        assert [round(float(v), 2) for v in page.mediabox[2:]] == list(A4)
        resources: Any = page["/Resources"]
        declared = [font.get_object() for font in resources["/Font"].values()]
        fonts = [font for font in declared if font["/BaseFont"] != "/Helvetica"]  # unused
        assert {font["/BaseFont"].split("+")[-1] for font in fonts} == {
            "SourceSerifPro-Regular", "SourceSerifPro-Bold"}
        assert all("/FontFile2" in font["/FontDescriptor"] for font in fonts)  # embedded

    def test_a_cong_van_has_its_summary_under_the_number_and_no_type_name(self) -> None:
        text = lines(render_draft(LETTER))
        number = next(line for line in text if line.startswith("Số:"))
        summary = next(xy for line, xy in text.items() if line.startswith("V/v Đề nghị"))
        assert number.endswith("/STP-VP")
        assert summary[1] < text[number][1] and summary[0] < HEADER_RIGHT_COLUMN
        assert "QUYẾT ĐỊNH" not in text and "KT. GIÁM ĐỐC" not in text

    def test_prints_urgency_and_secrecy_marks_under_the_number(self) -> None:
        text = lines(render_draft(LETTER))
        number_y = next(y for line, (_, y) in text.items() if line.startswith("Số:"))
        assert text["HỎA TỐC"][1] < number_y and text["MẬT"][1] < number_y


class TestDraftLayout:
    def test_puts_the_issuer_left_of_the_motto_and_the_number_left_of_the_date(
            self, decision: bytes) -> None:
        text = lines(decision)
        issuer, motto = text["SỞ TƯ PHÁP"], text["Độc lập - Tự do - Hạnh phúc"]
        number = next(xy for line, xy in text.items() if line.startswith("Số:"))
        date = next(xy for line, xy in text.items() if line.startswith("Thanh Hóa, ngày"))
        assert issuer[0] < TEXT_AREA_CENTRE < motto[0]
        assert abs(issuer[1] - motto[1]) < 1 and abs(number[1] - date[1]) < 1
        assert number[0] < HEADER_RIGHT_COLUMN < date[0]

    def test_puts_the_type_under_the_header_and_the_body_under_the_summary(
            self, decision: bytes) -> None:
        text = lines(decision)
        number_y = next(y for line, (_, y) in text.items() if line.startswith("Số:"))
        title, summary = text["QUYẾT ĐỊNH"], text[DECISION.subject]
        assert number_y > title[1] > summary[1] > text["Điều 2. Quyết định này có hiệu lực kể "
                                                          "từ ngày ký."][1]

    def test_puts_the_recipients_bottom_left_and_the_signer_bottom_right(
            self, decision: bytes) -> None:
        text = lines(decision)
        assert text["Nơi nhận:"][0] < TEXT_AREA_CENTRE < text["PHÓ GIÁM ĐỐC"][0]
        assert text["PHÓ GIÁM ĐỐC"][1] > text["Nguyễn Văn Hùng"][1]

    def test_reserves_the_leader_signature_between_position_and_name(
            self, decision: bytes) -> None:
        text, boxes = lines(decision), layout_of(decision)
        x1, y1, _, y2 = boxes.leader
        assert text["Nguyễn Văn Hùng"][1] < y1 < y2 < text["PHÓ GIÁM ĐỐC"][1]
        assert x1 > TEXT_AREA_CENTRE - 10 and boxes.page == 0

    def test_puts_the_seal_over_the_left_third_of_the_leader_signature(
            self, decision: bytes) -> None:
        boxes = layout_of(decision)
        leader_width = boxes.leader[2] - boxes.leader[0]
        overlap = boxes.seal[2] - boxes.leader[0]
        assert boxes.seal[0] < boxes.leader[0]
        assert overlap / leader_width == pytest.approx(1 / 3, abs=0.02)

    def test_reserves_the_number_and_date_lines_where_they_are_printed(
            self, decision: bytes) -> None:
        text, boxes = lines(decision), layout_of(decision)
        number = next(xy for line, xy in text.items() if line.startswith("Số:"))
        date = next(xy for line, xy in text.items() if line.startswith("Thanh Hóa, ngày"))
        for (x, y), (x1, y1, x2, y2) in ((number, boxes.number), (date, boxes.date)):
            assert x1 <= x <= x2 and y1 <= y <= y2

    def test_a_long_body_moves_the_signer_block_to_a_later_page(self) -> None:
        long = replace(DECISION, body="\n\n".join(f"Điều {n}. Nội dung quy định chi tiết về "
                                                  f"việc thực hiện kế hoạch." * 3
                                                  for n in range(1, 40)))
        pdf = render_draft(long)
        boxes = layout_of(pdf)
        assert boxes.page == len(PdfReader(BytesIO(pdf)).pages) - 1 > 0
        assert "Nguyễn Văn Hùng" in lines(pdf, boxes.page)
        assert any(line.startswith("Số:") for line in lines(pdf, 0))


class TestDraftFields:
    def test_has_empty_read_only_number_and_date_fields_and_two_signature_fields(
            self, decision: bytes) -> None:
        fields = PdfReader(BytesIO(decision)).get_fields() or {}
        assert set(fields) == {"SoKyHieu", "NgayBanHanh", "ChuKyLanhDao", "ChuKyCoQuan"}
        for name in ("SoKyHieu", "NgayBanHanh"):
            assert fields[name].get("/FT") == "/Tx" and fields[name].get("/V") is None
            assert int(fields[name].get("/Ff", 0)) & 1  # read-only: typed in by no one
        assert fields["ChuKyLanhDao"].get("/FT") == "/Sig"

    def test_layout_of_refuses_a_pdf_that_is_not_a_draft(self) -> None:
        with pytest.raises(ValueError, match="not a draft"):
            layout_of(foreign_pdf())

    def test_an_uploaded_pdf_gets_the_fields_and_keeps_its_own(self) -> None:
        places = Placements(number=Placed(0, (85, 700, 280, 718)),
                            date=Placed(0, (300, 700, 550, 718)),
                            signature=Placed(0, (320, 120, 560, 210)))
        pdf = reserve(foreign_pdf(with_field=True), places)
        boxes = layout_of(pdf)
        assert (boxes.number, boxes.date, boxes.page) == ((85, 700, 280, 718),
                                                          (300, 700, 550, 718), 0)
        fields = PdfReader(BytesIO(pdf)).get_fields() or {}
        assert set(fields) == {"GhiChu", "SoKyHieu", "NgayBanHanh", "ChuKyLanhDao",
                               "ChuKyCoQuan"}


def foreign_pdf(*, with_field: bool = False) -> bytes:
    """A PDF made elsewhere (e.g. uploaded by the drafter), possibly with a form of its own."""
    out = BytesIO()
    canvas = Canvas(out)
    canvas.drawString(100, 100, "Một tệp PDF khác")
    if with_field:
        canvas.acroForm.textfield(name="GhiChu", x=100, y=300, width=200, height=20)
    canvas.save()
    return out.getvalue()
