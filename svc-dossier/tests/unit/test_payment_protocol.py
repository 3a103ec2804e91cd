"""The national payment platform's message format: MaXacThuc both ways."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from svc_dossier.payments.protocol import (
    InitRequest,
    Notification,
    checksum,
    national_time,
)

SECRET = "bi-mat-chung"


def init(**changes: object) -> InitRequest:
    fields: dict[str, object] = {
        "MaDoiTac": "H56", "MaThamChieu": "TT-0001", "SoTien": 50_000,
        "ThoiGianGD": "20261128091500", "UrlTraVe": "https://dvc.example/tra-ve",
        "UrlThongBao": "https://dvc.example/api/v1/payments/notifications", **changes}
    return InitRequest.model_validate(fields)


class TestChecksum:
    def test_is_sha256_of_the_pipe_joined_fields_with_the_secret_last(self) -> None:
        expected = hashlib.sha256(b"a|b|c|" + SECRET.encode()).hexdigest()
        assert checksum(["a", "b", "c"], SECRET) == expected

    def test_an_init_message_signs_its_fields_in_order(self) -> None:
        message = init().signed(SECRET)
        assert message.wire()["MaXacThuc"] == checksum(
            ["INIT", "1.0.6", "H56", "TT-0001", "50000", "VND", "20261128091500",
             "https://dvc.example/tra-ve",
             "https://dvc.example/api/v1/payments/notifications"], SECRET)
        assert message.verifies(SECRET) and not message.verifies("another-secret")

    @pytest.mark.parametrize(("field", "value"), [
        ("SoTien", 5_000_000), ("MaThamChieu", "TT-0002"), ("MaLoi", "05"),
        ("MaGiaoDich", "GD-FORGED"),
    ])
    def test_any_changed_field_breaks_a_notification(self, field: str, value: object) -> None:
        wire = Notification(error_code="00", partner="H56", reference="TT-0001",
                            transaction_id="GD1", amount=50_000,
                            time="20261128091600").signed(SECRET).wire()
        assert Notification.model_validate(wire).verifies(SECRET)
        assert not Notification.model_validate({**wire, field: value}).verifies(SECRET)

    def test_a_checksum_with_non_ascii_characters_does_not_verify(self) -> None:
        # Found by the fuzzer: hmac.compare_digest raised TypeError on such a str (a 500).
        wire = Notification(error_code="00", partner="H56", reference="TT-0001",
                            transaction_id="GD1", amount=50_000,
                            time="20261128091600").signed(SECRET).wire()
        assert not Notification.model_validate({**wire, "MaXacThuc": "é" * 64}).verifies(SECRET)

    def test_times_are_vietnam_time(self) -> None:
        assert national_time(datetime(2026, 11, 28, 17, 30, 5, tzinfo=UTC)) == "20261129003005"
