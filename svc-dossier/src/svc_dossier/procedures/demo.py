"""Demo catalogue of the demo province (Thanh Hóa, H56): real procedures with national-style codes.

Durations, fees and components follow the usual statutory values; check them against the
province's published catalogue before any real use. Founding a business and a construction
permit need a verified account (level of assurance 2) to be submitted online: there the
applicant's identity carries legal weight. Civil-status (hộ tịch) procedures and certification
received after 15:00 count from the next working day.

``load_demo_procedures`` inserts the missing procedures, and fills the fields added since an
earlier version (components, online duration, the 15:00 rule, form schema, field code, the
reception agency) on demo rows **no administrator has touched** (``updated_at`` is NULL: every
edit and import sets it) and only where the field is still empty. An edited procedure is never
overwritten.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from svc_dossier.procedures import repository

PDF_IMAGES = ["application/pdf", "image/jpeg", "image/png"]
EMPTY: dict[str, Any] = {"components": [], "form_schema": None, "online_duration": None,
                         "after_15h_next_day": False, "field_code": None,
                         "reception_agency_id": None}
# The provincial public-administration service centre receives the dossiers of the provincial
# departments' procedures and returns their results; communes receive at their own desks.
SERVICE_CENTRE = "H56.20"
COMMUNES = ("H56.100", "H56.101")


def _c(code: str, name: str, *, required: bool = True, reusable: bool = False,
       copies: int = 1, media_types: list[str] | None = None) -> dict[str, Any]:
    return {"code": code, "name": name, "required": required, "reusable": reusable,
            "media_types": media_types or PDF_IMAGES, "max_bytes": 10 * 1024 * 1024,
            "copies": copies}


def _p(code: str, name: str, field: str, agency: str, duration: int, level: str,
       fees: list[tuple[str, int]], components: list[dict[str, Any]], *,
       unit: str = "working_days", assurance: int = 1, after_15h: bool = False,
       form: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "code": f"{code}.000.00.00.H56", "name": name, "field": field, "agency_id": agency,
        "duration": duration, "duration_unit": unit, "online_level": level,
        "fees": [{"name": n, "amount": a} for n, a in fees],
        "required_assurance_level": assurance, "components": components,
        "after_15h_next_day": after_15h, "form_schema": form, "online_duration": None,
        "reception_agency_id": None if agency in COMMUNES else SERVICE_CENTRE,
    }


def _form(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
            "properties": properties, "required": required}


def _t(schema: dict[str, Any], title: str) -> dict[str, Any]:
    """A field with its Vietnamese label (JSON Schema ``title``), which forms show."""
    return {**schema, "title": title}


TEXT = {"type": "string", "minLength": 1, "maxLength": 255}
DATE = {"type": "string", "format": "date"}
ID_NUMBER = {"type": "string", "pattern": "^[0-9]{12}$"}

BIRTH_FORM = _form({
    "ho_ten_tre": _t(TEXT, "Họ, chữ đệm, tên của trẻ"), "ngay_sinh": _t(DATE, "Ngày sinh"),
    "gioi_tinh": {"type": "string", "enum": ["Nam", "Nữ"], "title": "Giới tính"},
    "noi_sinh": _t(TEXT, "Nơi sinh"), "dan_toc": _t(TEXT, "Dân tộc"),
    "quoc_tich": _t(TEXT, "Quốc tịch"),
    "ho_ten_me": _t(TEXT, "Họ, chữ đệm, tên người mẹ"),
    "so_dinh_danh_me": _t(ID_NUMBER, "Số định danh cá nhân của người mẹ"),
    "ho_ten_cha": _t(TEXT, "Họ, chữ đệm, tên người cha"),
    "so_dinh_danh_cha": _t(ID_NUMBER, "Số định danh cá nhân của người cha"),
    "quan_he_voi_tre": _t(TEXT, "Quan hệ của người đi đăng ký với trẻ"),
}, ["ho_ten_tre", "ngay_sinh", "gioi_tinh", "noi_sinh", "ho_ten_me"])

CRIMINAL_RECORD_FORM = _form({
    "muc_dich": {**TEXT, "title": "Mục đích yêu cầu cấp Phiếu",
                 "description": "Mục đích yêu cầu cấp Phiếu"},
    "loai_phieu": {"type": "integer", "enum": [1, 2], "default": 1,
                   "title": "Loại Phiếu lý lịch tư pháp",
                   "description": "1: Phiếu số 1; 2: Phiếu số 2"},
    "so_luong_phieu": {"type": "integer", "minimum": 1, "maximum": 10, "default": 1,
                       "title": "Số lượng Phiếu"},
    "noi_cu_tru": _t(TEXT, "Nơi cư trú"),
    "nhan_ket_qua_qua_buu_dien": {"type": "boolean", "title": "Nhận kết quả qua bưu điện"},
}, ["muc_dich"])

BUSINESS_FORM = _form({
    "ten_doanh_nghiep": _t(TEXT, "Tên doanh nghiệp"),
    "dia_chi_tru_so": _t(TEXT, "Địa chỉ trụ sở chính"),
    "nganh_nghe": {"type": "array", "minItems": 1, "maxItems": 100,
                   "items": {"type": "string", "pattern": "^[0-9]{4}$",
                             "description": "Mã ngành cấp 4 (VSIC)"},
                   "title": "Ngành, nghề kinh doanh"},
    "von_dau_tu": {"type": "integer", "minimum": 0, "description": "Đồng",
                   "title": "Vốn đầu tư của chủ doanh nghiệp"},
    "so_lao_dong": {"type": "integer", "minimum": 0, "title": "Số lao động"},
}, ["ten_doanh_nghiep", "dia_chi_tru_so", "nganh_nghe", "von_dau_tu"])

DEMO_PROCEDURES = [
    _p("1.001193", "Đăng ký khai sinh", "Hộ tịch", "H56.100", 1, "full", [], [
        _c("TP01", "Tờ khai đăng ký khai sinh"),
        _c("TP02", "Giấy chứng sinh (hoặc văn bản của người làm chứng)"),
        _c("TP03", "Văn bản ủy quyền (khi nộp thay)", required=False),
    ], after_15h=True, form=BIRTH_FORM),
    _p("1.000894", "Đăng ký kết hôn", "Hộ tịch", "H56.100", 5, "partial", [], [
        _c("TP01", "Tờ khai đăng ký kết hôn"),
        _c("TP02", "Giấy xác nhận tình trạng hôn nhân", reusable=True),
    ]),
    _p("1.000656", "Đăng ký khai tử", "Hộ tịch", "H56.100", 1, "full", [], [
        _c("TP01", "Tờ khai đăng ký khai tử"),
        _c("TP02", "Giấy báo tử hoặc giấy tờ thay thế Giấy báo tử"),
    ], after_15h=True),
    _p("2.000635", "Cấp bản sao trích lục hộ tịch", "Hộ tịch", "H56.100", 1, "full",
       [("Phí cấp bản sao trích lục", 8_000)], [
        _c("TP01", "Tờ khai cấp bản sao trích lục hộ tịch"),
        _c("TP02", "Văn bản ủy quyền (khi nộp thay)", required=False),
    ]),
    _p("2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", "Chứng thực", "H56.101",
       1, "partial", [("Phí chứng thực (mỗi trang)", 2_000)], [
        _c("TP01", "Bản chính giấy tờ, văn bản làm cơ sở chứng thực"),
        _c("TP02", "Bản sao cần chứng thực", required=False),
    ], after_15h=True),
    _p("2.000748", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam", "Lý lịch tư pháp",
       "H56.14", 10, "full", [("Phí cung cấp thông tin lý lịch tư pháp", 200_000)], [
        _c("TP01", "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"),
        _c("TP02", "Bản chụp Căn cước công dân hoặc Hộ chiếu", reusable=True),
        _c("TP03", "Giấy tờ chứng minh nơi cư trú", required=False, reusable=True),
    ], form=CRIMINAL_RECORD_FORM),
    _p("2.001610", "Đăng ký thành lập doanh nghiệp tư nhân", "Thành lập và hoạt động doanh nghiệp",
       "H56.10", 3, "full", [("Lệ phí đăng ký doanh nghiệp", 50_000)], [
        _c("TP01", "Giấy đề nghị đăng ký doanh nghiệp tư nhân"),
        _c("TP02", "Bản sao giấy tờ pháp lý của cá nhân chủ doanh nghiệp tư nhân",
           reusable=True),
    ], assurance=2, form=BUSINESS_FORM),
    _p("2.002033", "Đăng ký thay đổi nội dung đăng ký doanh nghiệp",
       "Thành lập và hoạt động doanh nghiệp", "H56.10", 3, "full",
       [("Lệ phí đăng ký doanh nghiệp", 50_000)], [
        _c("TP01", "Thông báo thay đổi nội dung đăng ký doanh nghiệp"),
        _c("TP02", "Giấy chứng nhận đăng ký doanh nghiệp", reusable=True),
        _c("TP03", "Nghị quyết, quyết định về việc thay đổi", required=False),
    ]),
    _p("1.009972", "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ", "Hoạt động xây dựng",
       "H56.16", 15, "partial", [("Lệ phí cấp giấy phép xây dựng", 75_000)], [
        _c("TP01", "Đơn đề nghị cấp giấy phép xây dựng"),
        _c("TP02", "Bản sao giấy tờ chứng minh quyền sử dụng đất", reusable=True),
        _c("TP03", "Bản vẽ thiết kế xây dựng", copies=2, media_types=["application/pdf"]),
    ], assurance=2),
    _p("1.002804", "Cấp đổi giấy phép lái xe do ngành Giao thông vận tải cấp", "Đường bộ",
       "H56.16", 5, "full", [("Lệ phí cấp giấy phép lái xe", 135_000)], [
        _c("TP01", "Đơn đề nghị đổi giấy phép lái xe"),
        _c("TP02", "Giấy khám sức khỏe của người lái xe"),
        _c("TP03", "Bản sao giấy phép lái xe", reusable=True),
    ]),
    _p("1.001612", "Cấp giấy phép tổ chức lễ hội", "Văn hóa", "H56.01", 15, "info", [], [
        _c("TP01", "Văn bản đề nghị cấp giấy phép tổ chức lễ hội"),
        _c("TP02", "Đề án tổ chức lễ hội"),
    ], unit="calendar_days"),
]


async def load_demo_procedures(session: AsyncSession) -> int:
    """Insert missing demo procedures, fill empty new fields of never-edited ones."""
    added = await repository.add_missing(session, DEMO_PROCEDURES)
    demo = {p["code"]: p for p in DEMO_PROCEDURES}
    for row in await repository.never_edited(session, list(demo)):
        values = {name: demo[row.code].get(name) for name, empty in EMPTY.items()
                  if getattr(row, name) == empty and demo[row.code].get(name) != empty}
        if values:
            await repository.fill_loaded(session, row.code, values)
    return added
