"""Dossier statuses: the national status codes (TrangThaiHoSo) 1–10 and their names."""

from __future__ import annotations

from enum import IntEnum


class Status(IntEnum):
    SUBMITTED = 1  # Mới đăng ký
    RECEIVED = 2  # Được tiếp nhận
    REFUSED = 3  # Không được tiếp nhận
    PROCESSING = 4  # Đang xử lý
    SUPPLEMENT_REQUESTED = 5  # Yêu cầu bổ sung giấy tờ
    PAYMENT_REQUESTED = 6  # Yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWN = 7  # Công dân yêu cầu rút hồ sơ
    STOPPED = 8  # Dừng xử lý
    DECIDED = 9  # Đã xử lý xong
    RETURNED = 10  # Đã trả kết quả


STATUS_NAMES: dict[int, str] = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}

# Online submissions wait to be received; the counter and the post receive on the spot.
INITIAL_STATUS = {"online": Status.SUBMITTED, "counter": Status.RECEIVED, "post": Status.RECEIVED}
