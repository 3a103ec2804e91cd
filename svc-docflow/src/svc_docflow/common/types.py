"""Document types of Nghị định 30/2020/NĐ-CP (Phụ lục III) with their abbreviations, urgency
and secrecy (DOMAIN §5). Công văn has no abbreviation: its notation is issuer–drafting unit
(``123/UBND-VP``); every other type's is type–issuer (``12/QĐ-UBND``). Mind the mixed case
(QyĐ, CTr, TTr)."""

from __future__ import annotations

from typing import Literal

CONG_VAN = "CV"  # our code for công văn; never printed in a notation

# code → (name, abbreviation printed in the notation)
TYPES: dict[str, tuple[str, str]] = {
    "NQ": ("Nghị quyết", "NQ"), "QĐ": ("Quyết định", "QĐ"), "CT": ("Chỉ thị", "CT"),
    "QC": ("Quy chế", "QC"), "QyĐ": ("Quy định", "QyĐ"), "TC": ("Thông cáo", "TC"),
    "TB": ("Thông báo", "TB"), "HD": ("Hướng dẫn", "HD"), "CTr": ("Chương trình", "CTr"),
    "KH": ("Kế hoạch", "KH"), "PA": ("Phương án", "PA"), "ĐA": ("Đề án", "ĐA"),
    "DA": ("Dự án", "DA"), "BC": ("Báo cáo", "BC"), "BB": ("Biên bản", "BB"),
    "TTr": ("Tờ trình", "TTr"), "HĐ": ("Hợp đồng", "HĐ"), "CĐ": ("Công điện", "CĐ"),
    "BGN": ("Bản ghi nhớ", "BGN"), "BTT": ("Bản thỏa thuận", "BTT"),
    "GUQ": ("Giấy ủy quyền", "GUQ"), "GM": ("Giấy mời", "GM"),
    "GGT": ("Giấy giới thiệu", "GGT"), "GNP": ("Giấy nghỉ phép", "GNP"),
    "PG": ("Phiếu gửi", "PG"), "PC": ("Phiếu chuyển", "PC"), "PB": ("Phiếu báo", "PB"),
    CONG_VAN: ("Công văn", ""),
}

Urgency = Literal["normal", "khan", "thuong_khan", "hoa_toc", "hoa_toc_hen_gio"]
Secrecy = Literal["normal", "mat", "toi_mat", "tuyet_mat"]

# Printed on the document (NĐ 30) and the edXML OtherInfo/Priority code.
URGENCY_LABELS: dict[str, str | None] = {
    "normal": None, "khan": "KHẨN", "thuong_khan": "THƯỢNG KHẨN", "hoa_toc": "HỎA TỐC",
    "hoa_toc_hen_gio": "HỎA TỐC HẸN GIỜ"}
URGENCY_PRIORITY: dict[str, int] = {
    "normal": 0, "khan": 1, "thuong_khan": 2, "hoa_toc": 3, "hoa_toc_hen_gio": 4}
SECRECY_LABELS: dict[str, str | None] = {
    "normal": None, "mat": "MẬT", "toi_mat": "TỐI MẬT", "tuyet_mat": "TUYỆT MẬT"}


def notation(doc_type: str, issuer: str, unit: str | None) -> str:
    """``QĐ-UBND``; a công văn ``UBND-VP`` (``UBND`` without a drafting unit)."""
    if doc_type == CONG_VAN:
        return f"{issuer}-{unit}" if unit else issuer
    return f"{TYPES[doc_type][1]}-{issuer}"


def type_by_name(name: str | None) -> str | None:
    """Our code for a type named in a package (``TypeName``), diacritics and case as written."""
    if not name:
        return None
    wanted = name.strip().casefold()
    return next((code for code, (full, _) in TYPES.items() if full.casefold() == wanted), None)
