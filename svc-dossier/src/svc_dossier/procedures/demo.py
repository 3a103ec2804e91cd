"""Demo catalogue of the demo province (Thanh Hóa, H56): real procedures with national-style codes.

Durations and fees follow the usual statutory values; check them against the province's
published catalogue before any real use. Founding a business and a construction permit need a
verified account (level of assurance 2) to be submitted online: there the applicant's identity
carries legal weight.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from svc_dossier.procedures import repository


def _p(code: str, name: str, field: str, agency: str, duration: int, level: str,
       fees: list[tuple[str, int]], unit: str = "working_days",
       assurance: int = 1) -> dict[str, Any]:
    return {
        "code": f"{code}.000.00.00.H56", "name": name, "field": field, "agency_id": agency,
        "duration": duration, "duration_unit": unit, "online_level": level,
        "fees": [{"name": n, "amount": a} for n, a in fees],
        "required_assurance_level": assurance,
    }


DEMO_PROCEDURES = [
    _p("1.001193", "Đăng ký khai sinh", "Hộ tịch", "H56.100", 1, "full", []),
    _p("1.000894", "Đăng ký kết hôn", "Hộ tịch", "H56.100", 5, "partial", []),
    _p("1.000656", "Đăng ký khai tử", "Hộ tịch", "H56.100", 1, "full", []),
    _p("2.000635", "Cấp bản sao trích lục hộ tịch", "Hộ tịch", "H56.100", 1, "full",
       [("Phí cấp bản sao trích lục", 8_000)]),
    _p("2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", "Chứng thực", "H56.101",
       1, "partial", [("Phí chứng thực (mỗi trang)", 2_000)]),
    _p("2.000748", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam", "Lý lịch tư pháp",
       "H56.14", 10, "full", [("Phí cung cấp thông tin lý lịch tư pháp", 200_000)]),
    _p("2.001610", "Đăng ký thành lập doanh nghiệp tư nhân", "Thành lập và hoạt động doanh nghiệp",
       "H56.10", 3, "full", [("Lệ phí đăng ký doanh nghiệp", 50_000)], assurance=2),
    _p("2.002033", "Đăng ký thay đổi nội dung đăng ký doanh nghiệp",
       "Thành lập và hoạt động doanh nghiệp", "H56.10", 3, "full",
       [("Lệ phí đăng ký doanh nghiệp", 50_000)]),
    _p("1.009972", "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ", "Hoạt động xây dựng",
       "H56.16", 15, "partial", [("Lệ phí cấp giấy phép xây dựng", 75_000)], assurance=2),
    _p("1.002804", "Cấp đổi giấy phép lái xe do ngành Giao thông vận tải cấp", "Đường bộ",
       "H56.16", 5, "full", [("Lệ phí cấp giấy phép lái xe", 135_000)]),
    _p("1.001612", "Cấp giấy phép tổ chức lễ hội", "Văn hóa", "H56.01", 15, "info", [],
       unit="calendar_days"),
]


async def load_demo_procedures(session: AsyncSession) -> int:
    return await repository.add_missing(session, DEMO_PROCEDURES)
