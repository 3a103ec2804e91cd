"""A report's content as rows of indicators (chỉ tiêu), for the exports and the national
message: a stable code (the path in the content), a Vietnamese label, a unit and a value in that
unit. Rates (fractions in the JSON) are shown in per cent; money is integer đồng. A figure this
catalogue does not know yet (a newer KPI, another module's section) still appears, under its
code."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

SECTION_TITLES = {
    "dossiers": "Hồ sơ thủ tục hành chính", "rates": "Tỷ lệ",
    "payments": "Phí, lệ phí và thanh toán trực tuyến", "digitisation": "Số hóa hồ sơ, kết quả",
    "satisfaction": "Mức độ hài lòng", "processing": "Thời gian giải quyết",
    "documents": "Văn bản đi, đến", "accounts": "Tài khoản định danh điện tử",
    "index766": "Bộ chỉ số phục vụ người dân, doanh nghiệp (QĐ 766/QĐ-TTg)",
}
HS, PCT, VB = "hồ sơ", "%", "văn bản"
LABELS: dict[str, tuple[str, str]] = {
    "dossiers.submitted": ("Số hồ sơ đã nộp", HS),
    "dossiers.received": ("Số hồ sơ đã tiếp nhận", HS),
    "dossiers.completed": ("Số hồ sơ đã giải quyết, trả kết quả", HS),
    "dossiers.on_time": ("Giải quyết trước hạn và đúng hạn", HS),
    "dossiers.early": ("Giải quyết trước hạn", HS),
    "dossiers.late": ("Giải quyết quá hạn", HS),
    "dossiers.online": ("Tiếp nhận trực tuyến", HS),
    "dossiers.counter": ("Tiếp nhận trực tiếp", HS),
    "dossiers.post": ("Tiếp nhận qua dịch vụ bưu chính công ích", HS),
    "dossiers.online_full": ("Trực tuyến toàn trình", HS),
    "dossiers.online_partial": ("Trực tuyến một phần", HS),
    "dossiers.refused": ("Từ chối tiếp nhận", HS),
    "dossiers.withdrawn": ("Rút hồ sơ", HS),
    "dossiers.stopped": ("Dừng giải quyết", HS),
    "dossiers.supplement_requested": ("Yêu cầu bổ sung", HS),
    "dossiers.handed_over": ("Chuyển cơ quan khác giải quyết", HS),
    "dossiers.in_progress": ("Đang giải quyết cuối kỳ", HS),
    "dossiers.overdue_now": ("Đang giải quyết đã quá hạn", HS),
    "rates.online": ("Tỷ lệ hồ sơ trực tuyến", PCT),
    "rates.on_time": ("Tỷ lệ giải quyết đúng hạn", PCT),
    "payments.requested": ("Hồ sơ phải nộp phí, lệ phí", HS),
    "payments.paid": ("Hồ sơ đã nộp phí, lệ phí", HS),
    "payments.paid_online": ("Hồ sơ thanh toán trực tuyến", HS),
    "payments.amount_paid": ("Số tiền phí, lệ phí đã thu", "đồng"),
    "payments.online_rate": ("Tỷ lệ thanh toán trực tuyến", PCT),
    "digitisation.components_digitised": ("Thành phần hồ sơ được số hóa", "thành phần"),
    "digitisation.components_reused": ("Thành phần hồ sơ tái sử dụng", "thành phần"),
    "digitisation.electronic_results": ("Kết quả giải quyết điện tử", HS),
    "digitisation.electronic_result_rate": ("Tỷ lệ cấp kết quả điện tử", PCT),
    "satisfaction.rated": ("Lượt đánh giá", "lượt"),
    "satisfaction.satisfied": ("Lượt đánh giá hài lòng", "lượt"),
    "satisfaction.average_score": ("Điểm đánh giá bình quân (thang 5)", "điểm"),
    "satisfaction.rate": ("Tỷ lệ hài lòng", PCT),
    "processing.average_working_hours": ("Thời gian giải quyết bình quân", "giờ làm việc"),
    "processing.average_statutory_hours": ("Thời gian theo quy định bình quân",
                                           "giờ làm việc"),
    "processing.time_ratio": ("Thời gian thực tế so với quy định", PCT),
    "documents.outgoing.issued": ("Văn bản đi đã phát hành", VB),
    "documents.outgoing.signed": ("Văn bản đi có chữ ký số", VB),
    "documents.outgoing.sent_online": ("Văn bản đi gửi điện tử", VB),
    "documents.outgoing.signed_rate": ("Tỷ lệ văn bản đi ký số", PCT),
    "documents.incoming.received": ("Văn bản đến", VB),
    "documents.incoming.online": ("Văn bản đến qua trục liên thông", VB),
    "documents.incoming.upload": ("Văn bản đến tải lên", VB),
    "documents.incoming.paper": ("Văn bản đến bản giấy", VB),
    "documents.incoming.signed": ("Văn bản đến có chữ ký số", VB),
    "documents.incoming.registered": ("Văn bản đến đã vào sổ", VB),
    "documents.incoming.refused": ("Văn bản đến bị từ chối", VB),
    "documents.incoming.assigned": ("Văn bản đến đã phân công xử lý", VB),
    "documents.incoming.done": ("Văn bản đến đã xử lý xong", VB),
    "documents.incoming.online_rate": ("Tỷ lệ văn bản đến điện tử", PCT),
    "documents.incoming.average_handling_hours": ("Thời gian xử lý văn bản đến bình quân",
                                                  "giờ"),
    "accounts.registered": ("Tài khoản người dân, doanh nghiệp", "tài khoản"),
    "accounts.level2": ("Tài khoản định danh mức độ 2", "tài khoản"),
    "accounts.level2_rate": ("Tỷ lệ tài khoản mức độ 2", PCT),
}


@dataclass(frozen=True)
class Indicator:
    section: str
    code: str  # the path in the content: "dossiers.received"
    label: str
    unit: str
    value: int | float | None  # in ``unit``: per cent for rates

    @property
    def shown(self) -> str:
        """The value as a Vietnamese table prints it: 1.234.567; 97,5; – for none."""
        if self.value is None:
            return "–"
        if isinstance(self.value, int):
            return f"{self.value:,}".replace(",", ".")
        return f"{self.value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def indicators(sections: Mapping[str, Any]) -> list[Indicator]:
    """Every figure of the content's sections, in the content's order (a section without
    figures for this agency, such as the province-wide accounts, is left out)."""
    return [row for name, body in sections.items() if body is not None
            for row in _walk(name, name, body)]


def _walk(section: str, code: str, value: Any) -> Iterator[Indicator]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _walk(section, f"{code}.{key}", inner)
    elif value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        yield _indicator(section, code, value)


def _indicator(section: str, code: str, value: int | float | None) -> Indicator:
    label, unit = LABELS.get(code, (code, ""))
    if unit == PCT and value is not None:
        value = round(value * 100, 2)
    elif isinstance(value, float) and unit != PCT:
        value = round(value, 2)
    return Indicator(section, code, label, unit, value)
