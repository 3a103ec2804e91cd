"""What the applicant is told, in Vietnamese: an email (subject and plain-text body) and a
short SMS per kind of status change. Pure functions of the facts; dates in Vietnam time.

Data minimisation: the dossier code, the procedure's name, the status, dates, amounts and what
the officer wrote for the applicant (reason, missing papers); never ID numbers or names.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from egov_shared.timeutil import to_vn
from svc_dossier.dossiers.state import STATUS_NAMES
from svc_dossier.forms.wording import moment_words

# Kinds of message; essential ones cannot be muted (they ask something of the applicant or
# decide their case), the others can be, per kind, in the preferences.
ESSENTIAL = frozenset({"received", "supplement_requested", "payment_requested", "decided",
                       "refused", "apologised", "stopped"})
OPTIONAL = frozenset({"returned", "withdrawn"})
KINDS = ESSENTIAL | OPTIONAL

SMS_MAX_CHARS = 160  # with diacritics that is up to three 70-character UCS-2 parts
FOOTER = ("Ông/Bà có thể tra cứu tình trạng hồ sơ trên Cổng dịch vụ công bằng mã hồ sơ.\n"
          "Thư này được gửi tự động, xin vui lòng không trả lời.")

# GSM 03.38 basic alphabet: a text made only of these fits 160 characters per SMS part.
GSM7 = frozenset("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
                 "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")


@dataclass(frozen=True)
class Facts:
    kind: str
    code: str
    procedure_name: str
    status_code: int
    due_at: datetime | None = None  # the appointed time (received; apologised: the new one)
    amount: int | None = None  # integer đồng
    reason: str | None = None
    missing: tuple[str, ...] = field(default_factory=tuple)
    outcome: str | None = None  # decided: approved | rejected


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    sms: str


def money(amount: int) -> str:
    """``200.000 đồng``: the Vietnamese thousands separator is a dot."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def short_moment(moment: datetime | None) -> str:
    """For SMS: ``09:05 ngày 14/12/2026`` (Vietnam time)."""
    shown = to_vn(moment)
    return f"{shown:%H:%M} ngày {shown:%d/%m/%Y}" if shown else "(chưa xác định)"


def sms_parts(text: str) -> int:
    """How many SMS parts the text takes: GSM-7 160/153, UCS-2 (any diacritic) 70/67."""
    single, multi = (160, 153) if set(text) <= GSM7 else (70, 67)
    return 1 if len(text) <= single else math.ceil(len(text) / multi)


def unaccent(text: str) -> str:
    """Vietnamese without diacritics (đ → d), for providers or plans billed per GSM-7 part."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def render(facts: Facts) -> Message:
    subject, lines, sms_head, sms_detail = _WORDING[facts.kind](facts)
    body = "\n".join(["Kính gửi Ông/Bà,", "",
                      f"Hồ sơ {facts.code} ({facts.procedure_name}) {lines[0]}", *lines[1:],
                      "",
                      f"Trạng thái hồ sơ: {STATUS_NAMES.get(facts.status_code, '')}.", "",
                      FOOTER])
    return Message(subject=subject, text=body + "\n", sms=_sms(sms_head, sms_detail))


def _sms(head: str, detail: str | None) -> str:
    if not detail:
        return head[:SMS_MAX_CHARS]
    room = SMS_MAX_CHARS - len(head) - 1
    if room < 10:
        return head[:SMS_MAX_CHARS]
    return f"{head} {detail if len(detail) <= room else detail[:room - 1] + '…'}"


Wording = tuple[str, list[str], str, str | None]


def _received(f: Facts) -> Wording:
    return (f"Hồ sơ {f.code} đã được tiếp nhận",
            ["đã được tiếp nhận.", f"Thời gian hẹn trả kết quả: {moment_words(f.due_at)}."]
            if f.due_at else ["đã được tiếp nhận."],
            f"Hồ sơ {f.code} đã được tiếp nhận. Hẹn trả kết quả: {short_moment(f.due_at)}.",
            None)


def _supplement(f: Facts) -> Wording:
    missing = [f"  - {item}" for item in f.missing]
    return (f"Hồ sơ {f.code} cần bổ sung giấy tờ",
            ["cần được bổ sung, hoàn thiện.", f"Lý do: {_clause(f.reason)}.",
             "Giấy tờ cần bổ sung:", *missing,
             "Thời hạn giải quyết tạm dừng cho đến khi Ông/Bà bổ sung."],
            f"Hồ sơ {f.code} cần bổ sung:", "; ".join(f.missing) + ".")


def _payment(f: Facts) -> Wording:
    amount = money(f.amount or 0)
    return (f"Hồ sơ {f.code}: đề nghị nộp phí, lệ phí",
            [f"cần thực hiện nghĩa vụ tài chính: {amount}.",
             "Ông/Bà có thể thanh toán trực tuyến trên Cổng dịch vụ công hoặc tại bộ phận "
             "một cửa."],
            f"Hồ sơ {f.code}: đề nghị nộp {amount} (phí, lệ phí).", None)


def _decided(f: Facts) -> Wording:
    verdict = ("đã được giải quyết." if f.outcome != "rejected"
               else "đã được giải quyết: không chấp thuận, có văn bản trả lời nêu rõ lý do.")
    return (f"Hồ sơ {f.code} đã có kết quả",
            [verdict, "Mời Ông/Bà nhận kết quả theo hẹn."],
            f"Hồ sơ {f.code} đã có kết quả. Mời Ông/Bà nhận kết quả theo hẹn.", None)


def _returned(f: Facts) -> Wording:
    return (f"Hồ sơ {f.code} đã trả kết quả", ["đã được trả kết quả. Xin cảm ơn Ông/Bà."],
            f"Hồ sơ {f.code} đã trả kết quả. Xin cảm ơn Ông/Bà.", None)


def _refused(f: Facts) -> Wording:
    return (f"Hồ sơ {f.code} không được tiếp nhận",
            ["không được tiếp nhận.", f"Lý do: {_clause(f.reason)}."],
            f"Hồ sơ {f.code} không được tiếp nhận. Lý do:", f.reason)


def _apologised(f: Facts) -> Wording:
    return (f"Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ {f.code}",
            ["đã quá hạn giải quyết. Cơ quan chúng tôi chân thành xin lỗi Ông/Bà.",
             f"Lý do: {_clause(f.reason)}.",
             f"Thời gian hẹn trả kết quả mới: {moment_words(f.due_at)}."],
            f"Xin lỗi Ông/Bà: hồ sơ {f.code} bị chậm. Hẹn trả kết quả mới: "
            f"{short_moment(f.due_at)}.", None)


def _stopped(f: Facts) -> Wording:
    return (f"Hồ sơ {f.code} đã dừng xử lý", ["đã dừng xử lý.", f"Lý do: {_clause(f.reason)}."],
            f"Hồ sơ {f.code} đã dừng xử lý. Lý do:", f.reason)


def _withdrawn(f: Facts) -> Wording:
    return (f"Hồ sơ {f.code} đã được rút", ["đã được rút theo yêu cầu của Ông/Bà."],
            f"Hồ sơ {f.code} đã được rút theo yêu cầu của Ông/Bà.", None)


_WORDING = {
    "received": _received, "supplement_requested": _supplement, "payment_requested": _payment,
    "decided": _decided, "returned": _returned, "refused": _refused,
    "apologised": _apologised, "stopped": _stopped, "withdrawn": _withdrawn,
}


def _clause(text: str | None) -> str:
    """The officer's words without a final full stop (the template adds one)."""
    return (text or "").strip().rstrip(".")
