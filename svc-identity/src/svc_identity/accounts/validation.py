"""Pure checks of what a citizen declares at registration (DOMAIN §7); no I/O.

Each failure raises :class:`ValidationFailed` with a stable code that clients can rely on.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from egov_shared.errors import ValidationFailed

# Birth-registration province codes of the personal ID number: the old 63-province table
# (Thông tư 07/2016/TT-BCA, kept by Thông tư 59/2021/TT-BCA). The 2025 merger of provinces did
# not renumber existing IDs, so this table stays valid for every number already issued.
BIRTH_PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn",
    "008": "Tuyên Quang", "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu",
    "014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ",
    "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh",
    "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng",
    "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên",
    "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu", "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang",
    "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long", "087": "Đồng Tháp",
    "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
    "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}

# Roles an official may hold (DESIGN §5); role names are part of the token contract.
OFFICIAL_ROLES = frozenset({
    "admin", "one_stop_officer", "processing_officer", "leader", "clerk", "reporting_officer",
})

# Roles whose holders must sign in with a second factor (TOTP).
TOTP_REQUIRED_ROLES = frozenset({"admin", "leader"})

MIN_BIRTH_DATE = date(1900, 1, 1)  # the century digit starts at the 1900s
_ID_NUMBER = re.compile(r"^[0-9]{12}$")
_PHONE = re.compile(r"^(?:\+84|0)[0-9]{9,10}$")
_EMAIL = re.compile(  # ASCII addresses; internationalised ones can come later
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$"
)
_NAME_FORBIDDEN = re.compile(r"[0-9_@#$%^&*()+=<>{}\[\]|\\/:;\"?!]")


def _fail(code: str, message: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, extra={"field": field})


def check_id_number(id_number: str) -> None:
    """12 digits whose first three are a birth-registration province code (the old
    63-province table)."""
    if not _ID_NUMBER.match(id_number):
        raise _fail("invalid_id_number", "Số định danh cá nhân phải gồm đúng 12 chữ số.",
                    "id_number")
    if id_number[:3] not in BIRTH_PROVINCE_CODES:
        raise _fail("id_number_unknown_province",
                    f"Mã tỉnh nơi đăng ký khai sinh {id_number[:3]} không tồn tại.", "id_number")


def century_sex_digit(birth_year: int, sex: str) -> int:
    """The 4th digit: 0/1 for the 1900s (male/female), 2/3 for the 2000s, and so on."""
    return (birth_year // 100 - 19) * 2 + (0 if sex == "male" else 1)


def check_id_number_matches(id_number: str, *, date_of_birth: date, sex: str) -> None:
    """The century+sex digit and the two year digits must agree with what is declared."""
    digit = int(id_number[3])
    if digit // 2 != (date_of_birth.year // 100 - 19) or id_number[4:6] != (
        f"{date_of_birth.year % 100:02d}"
    ):
        raise _fail("id_number_birth_year_mismatch",
                    "Số định danh không khớp với năm sinh đã khai.", "id_number")
    if digit != century_sex_digit(date_of_birth.year, sex):
        raise _fail("id_number_sex_mismatch",
                    "Số định danh không khớp với giới tính đã khai.", "id_number")


def check_date_of_birth(date_of_birth: date, *, today: date) -> None:
    if date_of_birth > today or date_of_birth < MIN_BIRTH_DATE:
        raise _fail("invalid_date_of_birth",
                    "Ngày sinh không hợp lệ (không được ở tương lai).", "date_of_birth")


def normalize_full_name(full_name: str) -> str:
    """NFC with single spaces, so that the same name is stored one way whatever the keyboard."""
    name = " ".join(unicodedata.normalize("NFC", full_name).split())
    if len(name) < 2 or _NAME_FORBIDDEN.search(name) or not name.isprintable():
        raise _fail("invalid_full_name", "Họ và tên không hợp lệ.", "full_name")
    return name


def normalize_phone(phone: str) -> str:
    """Accepts spaces, dots and dashes as typed; stores digits with the 0 or +84 prefix."""
    compact = re.sub(r"[\s.-]", "", phone)
    if not _PHONE.match(compact):
        raise _fail("invalid_phone", "Số điện thoại không hợp lệ.", "phone")
    return compact


def normalize_email(email: str) -> str:
    address = email.strip()
    if len(address) > 254 or not _EMAIL.match(address):
        raise _fail("invalid_email", "Địa chỉ thư điện tử không hợp lệ.", "email")
    local, _, domain = address.partition("@")
    return f"{local}@{domain.lower()}"


def check_password(password: str, *, id_number: str) -> None:
    """At least 8 characters, letters and digits, and not built around the ID number."""
    strong = (
        len(password) >= 8
        and any(c.isalpha() for c in password)
        and any(c.isdigit() for c in password)
        and id_number not in password
    )
    if not strong:
        raise _fail(
            "weak_password",
            "Mật khẩu phải có ít nhất 8 ký tự, gồm cả chữ và số, và không chứa số định danh.",
            "password",
        )
