"""Demo targets of the province's steering committee for the current year (DOMAIN §8): the
figures the committee watches each quarter. Inserted at start-up in demo mode only, once:
an existing target with the same owner, year and code is left as it is."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from egov_shared.app import ServiceRuntime
from egov_shared.timeutil import VN_TZ, utcnow
from svc_reporting.settings import ReportingSettings
from svc_reporting.targets import repository

PROXY = "Gần đúng: văn bản đến nhận qua trục liên thông trên tổng số văn bản đến."

# code, name, unit, plan, direction, KPI path (None: entered by hand), note
DEMO_TARGETS: list[tuple[str, str, str, float, str, str | None, str | None]] = [
    ("HSCV_TREN_MANG", "Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng (trừ hồ sơ mật)",
     "percent", 95, "higher", "documents.incoming.online_rate", PROXY),
    ("VB_KY_SO", "Tỷ lệ văn bản đi được ký số", "percent", 80, "higher",
     "documents.outgoing.signed_rate", None),
    ("GIAM_THOI_GIAN", "Thời gian giải quyết TTHC so với thời gian quy định (giảm 30 %)",
     "percent", 70, "lower", "processing.time_ratio", None),
    ("HS_TRUC_TUYEN", "Tỷ lệ hồ sơ TTHC nộp trực tuyến", "percent", 80, "higher",
     "rates.online", None),
    ("HS_TOAN_TRINH", "Tỷ lệ hồ sơ trực tuyến toàn trình", "percent", 50, "higher",
     "rates.online_full", None),
    ("DUNG_HAN", "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn", "percent", 95, "higher",
     "rates.on_time", None),
    ("THANH_TOAN_TT", "Tỷ lệ hồ sơ thanh toán trực tuyến", "percent", 50, "higher",
     "payments.online_rate", None),
    ("KQ_DIEN_TU", "Tỷ lệ kết quả giải quyết TTHC được trả bản điện tử", "percent", 80,
     "higher", "digitisation.electronic_result_rate", None),
    ("HAI_LONG", "Mức độ hài lòng của người dân, doanh nghiệp", "percent", 90, "higher",
     "satisfaction.rate", None),
    ("TK_MUC_2", "Tỷ lệ tài khoản người dân, doanh nghiệp định danh mức độ 2", "percent", 45,
     "higher", "accounts.level2_rate", None),
    ("CHI_SO_766", "Điểm Bộ chỉ số phục vụ người dân, doanh nghiệp (QĐ 766/QĐ-TTg)",
     "points", 85, "higher", "index766.total", None),
    ("BC_CHIA_SE", "Tỷ lệ báo cáo định kỳ được chia sẻ trên Hệ thống thông tin báo cáo",
     "percent", 80, "higher", None, None),
    ("XAC_THUC_DT", "Tỷ lệ giao dịch trên Cổng Dịch vụ công được xác thực điện tử",
     "percent", 100, "higher", None, None),
]


def demo_rows(owner: str, year: int, now: datetime) -> list[dict[str, Any]]:
    return [{"year": year, "code": code, "name": name, "unit": unit, "plan_value": plan,
             "direction": direction, "owner_agency_id": owner,
             "source_kind": "manual" if path is None else "kpi", "source_path": path,
             "note": note, "created_by": "demo", "created_at": now, "updated_at": now}
            for code, name, unit, plan, direction, path, note in DEMO_TARGETS]


async def load_demo_targets(runtime: ServiceRuntime) -> None:
    settings = runtime.settings
    if not settings.demo or not isinstance(settings, ReportingSettings):
        return
    year = datetime.now(VN_TZ).year
    async with runtime.sessionmaker() as session, session.begin():
        await repository.insert_missing(
            session, demo_rows(settings.province_id, year, utcnow()))
