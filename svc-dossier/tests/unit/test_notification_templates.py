"""What the applicant is told: Vietnamese wording, dates in Vietnam time, SMS lengths."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from svc_dossier.notifications.contacts import normalize_email, normalize_phone
from svc_dossier.notifications.dispatcher import retry_delay, safe_error
from svc_dossier.notifications.templates import (
    KINDS,
    SMS_MAX_CHARS,
    Facts,
    money,
    render,
    sms_parts,
    unaccent,
)

CODE = "H56.14-261128-0001"
DUE = datetime(2026, 12, 14, 2, 5, tzinfo=UTC)  # 09:05 in Vietnam


def facts(kind: str, **extra: object) -> Facts:
    values: dict[str, object] = {"kind": kind, "code": CODE, "status_code": 2,
                                 "procedure_name": "Cấp Phiếu lý lịch tư pháp", **extra}
    return Facts(**values)  # type: ignore[arg-type]


class TestWording:
    def test_received_names_the_appointed_time_in_vietnam_time(self) -> None:
        message = render(facts("received", due_at=DUE))
        assert message.subject == f"Hồ sơ {CODE} đã được tiếp nhận"
        assert "09 giờ 05 phút, ngày 14 tháng 12 năm 2026" in message.text
        assert "Hẹn trả kết quả: 09:05 ngày 14/12/2026." in message.sms

    def test_payment_amount_in_dong(self) -> None:
        assert money(200_000) == "200.000 đồng" and money(1_500_000) == "1.500.000 đồng"
        message = render(facts("payment_requested", status_code=6, amount=200_000))
        assert "200.000 đồng" in message.text and "200.000 đồng" in message.sms

    def test_refusal_gives_the_reason_once_punctuated(self) -> None:
        message = render(facts("refused", status_code=3, reason="Không thuộc thẩm quyền."))
        assert "Lý do: Không thuộc thẩm quyền.\n" in message.text
        assert "Trạng thái hồ sơ: Không được tiếp nhận." in message.text

    def test_apology_gives_the_new_date(self) -> None:
        message = render(facts("apologised", status_code=4, due_at=DUE, reason="Cần xác minh"))
        assert "xin lỗi" in message.text and "Thời gian hẹn trả kết quả mới: 09 giờ 05" \
            in message.text

    def test_rejected_decision_says_so(self) -> None:
        assert "không chấp thuận" in render(facts("decided", outcome="rejected")).text

    @pytest.mark.parametrize("kind", sorted(KINDS))
    def test_every_sms_is_short(self, kind: str) -> None:
        long = "Thiếu giấy tờ chứng minh nơi cư trú hợp pháp của người đề nghị " * 5
        message = render(facts(kind, due_at=DUE, amount=200_000, reason=long,
                               missing=(long, long)))
        assert len(message.sms) <= SMS_MAX_CHARS and CODE in message.sms
        assert message.subject and message.text.startswith("Kính gửi Ông/Bà,")


class TestSmsLength:
    def test_diacritics_take_ucs2_parts(self) -> None:
        assert sms_parts("a" * 160) == 1 and sms_parts("a" * 161) == 2
        assert sms_parts("ồ" * 70) == 1 and sms_parts("ồ" * 71) == 2
        assert sms_parts("ồ" * 160) == 3

    def test_unaccented_is_gsm7(self) -> None:
        text = unaccent("Hồ sơ đã được tiếp nhận. Đề nghị nộp 200.000 đồng")
        assert text == "Ho so da duoc tiep nhan. De nghi nop 200.000 dong"
        assert sms_parts(text) == 1


class TestContacts:
    @pytest.mark.parametrize(("raw", "normalised"), [
        ("0912345678", "+84912345678"), ("+84912345678", "+84912345678"),
        ("0912 345 678", "+84912345678"), ("0387.654.321", "+84387654321"),
        ("84912345678", "+84912345678"),
        ("0212345678", None), ("091234567", None), ("09123456789", None), ("", None),
        ("+1 555 0100", None),
    ])
    def test_vietnamese_mobile_numbers(self, raw: str, normalised: str | None) -> None:
        assert normalize_phone(raw) == normalised

    def test_email_addresses(self) -> None:
        assert normalize_email(" An.Nguyen@Example.VN ") == "An.Nguyen@example.vn"
        assert normalize_email("no-at-sign") is None and normalize_email("a@b") is None


class TestRetryPolicy:
    def test_the_delay_doubles_up_to_the_cap(self) -> None:
        delays = [retry_delay(n, base=30, cap=3600) for n in range(1, 10)]
        assert delays[:4] == [30, 60, 120, 240] and delays[-1] == 3600

    def test_errors_never_carry_the_password(self) -> None:
        error = safe_error(RuntimeError("login smtp://u:p4ss@mail failed p4ss"),
                           ("smtp://u:p4ss@mail", "p4ss"))
        assert "p4ss" not in error and error.startswith("RuntimeError:")
