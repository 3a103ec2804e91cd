"""The forms as PDF: the text a reader extracts is the exact Vietnamese, diacritics intact."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from io import BytesIO
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from egov_shared.timeutil import VN_TZ
from svc_dossier.forms import sources
from svc_dossier.forms.render import render
from svc_dossier.forms.schemas import (
    AnyForm,
    ApologySlip,
    ControlSheet,
    DossierFacts,
    HopLine,
    Issuer,
    Receipt,
    RefusalSlip,
    Register,
    RegisterLine,
    SupplementSlip,
)
from svc_dossier.forms.wording import day_words, moment_words

ISSUER = Issuer("UBND tỉnh Thanh Hóa", "Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa")
FACTS = DossierFacts("H56.20-261128-0001", "H56.20", "2.000748.000.00.00.H56",
                     "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam", "Nguyễn Thị Hoa",
                     "038195001234", "0912345678")
AT = datetime(2026, 11, 28, 9, 5, tzinfo=VN_TZ)
DUE = datetime(2026, 12, 14, 9, 5, tzinfo=VN_TZ)


def text_of(pdf: bytes) -> str:
    pages = PdfReader(BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def rendered_text(form: AnyForm) -> str:
    return text_of(render(form, issued_on=AT, reference=FACTS.code).pdf)


class TestVietnameseDates:
    def test_days_and_months_as_the_clerical_rules_write_them(self) -> None:
        assert day_words(date(2026, 11, 28)) == "ngày 28 tháng 11 năm 2026"
        assert day_words(date(2026, 1, 5)) == "ngày 05 tháng 01 năm 2026"
        assert day_words(date(2026, 3, 9)) == "ngày 09 tháng 3 năm 2026"

    def test_a_utc_moment_is_worded_in_vietnam_time(self) -> None:
        utc = datetime.fromisoformat("2026-11-27T20:30:00+00:00")
        assert moment_words(utc) == "03 giờ 30 phút, ngày 28 tháng 11 năm 2026"


class TestForms:
    def test_01_receipt(self) -> None:
        form = Receipt(ISSUER, FACTS, ["Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (01 bản)"],
                       AT, DUE, "Nguyễn Thị Mai", "counter")
        text = rendered_text(form)
        for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                         "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
                         "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "Nguyễn Thị Hoa",
                         "H56.20-261128-0001", "Thanh Hóa, ngày 28 tháng 11 năm 2026",
                         "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (01 bản)",
                         "09 giờ 05 phút, ngày 14 tháng 12 năm 2026", "Nguyễn Thị Mai",
                         "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH THANH HÓA"):
            assert expected in text

    def test_01_names_who_filed_it_for_the_applicant(self) -> None:
        facts = replace(FACTS, representative="Trần Văn Bình (cha; Cha của người chưa thành niên)")
        text = rendered_text(Receipt(ISSUER, facts, [], AT, DUE, "Nguyễn Thị Mai", "counter"))
        assert "Người nộp thay (được ủy quyền)" in text
        assert "Trần Văn Bình (cha; Cha của người chưa thành niên)" in text
        assert "Người nộp thay" not in rendered_text(
            Receipt(ISSUER, FACTS, [], AT, DUE, "Nguyễn Thị Mai", "counter"))

    def test_01_marks_the_signature_space_on_its_page(self) -> None:
        form = Receipt(ISSUER, FACTS, [], AT, DUE, None, "online")
        out = render(form, issued_on=AT, reference=FACTS.code)
        assert out.stamp_page == 0 and out.stamp_box is not None
        x1, y1, x2, y2 = out.stamp_box
        assert 0 < x1 < x2 <= 595 and 0 < y1 < y2 <= 842

    def test_02_supplement_request(self) -> None:
        text = rendered_text(SupplementSlip(ISSUER, FACTS, AT, "Thiếu giấy tờ chứng minh",
                                            ["Bản sao Căn cước công dân"], None))
        assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
        assert "Thiếu giấy tờ chứng minh" in text and "1. Bản sao Căn cước công dân" in text

    def test_03_refusal(self) -> None:
        text = rendered_text(RefusalSlip(ISSUER, FACTS, AT, "Không thuộc thẩm quyền", None))
        assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
        assert "Lý do từ chối: Không thuộc thẩm quyền" in text

    def test_04_apology(self) -> None:
        text = rendered_text(ApologySlip(ISSUER, FACTS, AT, "Cần xác minh thêm", AT, DUE))
        assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
        assert "Cần xác minh thêm" in text
        assert "09 giờ 05 phút, ngày 14 tháng 12 năm 2026" in text

    def test_05_control_sheet_has_a_line_per_hop(self) -> None:
        hops = [HopLine(1, "Sở Tư pháp", "Phòng Hành chính tư pháp", AT, DUE, DUE, "late"),
                HopLine(2, "Phòng Hành chính tư pháp", "Sở Tư pháp", DUE, DUE, None, "open")]
        text = rendered_text(ControlSheet(ISSUER, FACTS, AT, DUE, hops))
        assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
        assert "Phòng Hành chính tư pháp" in text and "Quá hạn" in text
        assert "Đang xử lý" in text and "28/11/2026 09:05" in text

    def test_06_register_lists_every_dossier_over_pages(self) -> None:
        lines = [RegisterLine(f"H56.20-261128-{n:04d}", FACTS.procedure_name,
                              "Nguyễn Thị Hoa", AT, DUE, None, "Được tiếp nhận", None)
                 for n in range(1, 41)]
        register = Register(ISSUER, "H56.20", date(2026, 11, 1), date(2026, 11, 30), lines)
        out = render(register, issued_on=AT, reference="H56.20")
        text = text_of(out.pdf)
        assert "SỔ THEO DÕI HỒ SƠ" in text and "Tổng số: 40 hồ sơ." in text
        assert "Từ ngày 01 tháng 11 năm 2026 đến ngày 30 tháng 11 năm 2026" in text
        assert "H56.20-261128-0040" in text and len(PdfReader(BytesIO(out.pdf)).pages) > 1


def row(**fields: object) -> SimpleNamespace:
    return SimpleNamespace(**{"data": {}, "reason": None, "actor_id": "x", **fields})


class TestSources:
    def test_the_receipt_comes_from_reception_not_from_a_supplement_back_to_2(self) -> None:
        history = [row(action="submit", to_status=1, at=AT),
                   row(action="receive", to_status=2, at=DUE),
                   row(action="supplement", to_status=2, at=DUE)]
        assert sources.source_of("01", history) is history[1]
        assert sources.source_of("03", history) is None

    def test_a_counter_submission_is_its_own_receipt(self) -> None:
        history = [row(action="submit", to_status=2, at=AT)]
        assert sources.source_of("01", history) is history[0]

    @pytest.mark.parametrize(("handed_on", "outcome"), [(AT, "on_time"), (None, "open_late")])
    def test_hop_outcome(self, handed_on: datetime | None, outcome: str) -> None:
        hop = row(deadline_at=AT, handed_on_at=handed_on)
        assert sources.hop_outcome(hop, DUE) == outcome
