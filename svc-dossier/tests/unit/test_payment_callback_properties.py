"""Properties of the payment platform's callback check (``service.authentic``) on generated
notifications: a genuine one is accepted as sent; any signed field altered, the wrong secret or
another partner is refused; and no body at all, however odd, raises anything but a refusal."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from svc_dossier.payments.protocol import Notification, checksum
from svc_dossier.payments.service import Verdict, authentic

PARTNER, SECRET = "H56", "bi-mat-chung"
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ascii_codes = st.text(st.characters(codec="ascii", categories=["L", "N", "Pd"]), min_size=1,
                      max_size=20)
notifications = st.fixed_dictionaries({
    "MaLoi": st.sampled_from(["00", "01", "05", "24", "99"]),
    "MaDoiTac": st.just(PARTNER),
    "MaThamChieu": ascii_codes,
    "MaGiaoDich": ascii_codes,
    "SoTien": st.integers(0, 10**12),
    "MaTienTe": st.just("VND"),
    "ThoiGianGD": st.from_regex(r"20[0-9]{12}", fullmatch=True),
}).map(Notification.model_validate)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=4),
    max_leaves=12)


def wire(notification: Notification) -> dict[str, Any]:
    return notification.signed(SECRET).wire()


def check(body: Any, *, secret: str = SECRET) -> Notification | Verdict:
    got = authentic(body, partner=PARTNER, secret=secret)
    if isinstance(got, Verdict):
        assert not got.accepted and got.status == 400, got
    return got


class TestGenuineNotifications:
    @FAST
    @given(notifications)
    def test_are_accepted_as_sent(self, notification: Notification) -> None:
        got = check(wire(notification))
        assert isinstance(got, Notification)
        assert got.model_dump() == notification.signed(SECRET).model_dump()

    @FAST
    @given(notifications, st.sampled_from(["MoTaLoi", "TenNguoiNop", "x"]), json_values)
    def test_fields_outside_the_signature_change_nothing(
        self, notification: Notification, name: str, value: Any
    ) -> None:
        assert isinstance(check({**wire(notification), name: value}), Notification)

    @FAST
    @given(notifications, st.text(min_size=1, max_size=20))
    def test_are_refused_under_another_secret(self, notification: Notification,
                                              secret: str) -> None:
        if secret != SECRET:
            assert check(wire(notification), secret=secret) == Verdict(
                "invalid_checksum", 400, "01", "Sai mã xác thực.")


class TestAlteredNotifications:
    @FAST
    @given(notifications, st.sampled_from(Notification.SIGNED), st.data())
    def test_any_signed_field_changed_is_refused(
        self, notification: Notification, field: str, data: st.DataObject
    ) -> None:
        body = wire(notification)
        if field == "SoTien":
            new: Any = data.draw(st.integers(0, 10**12).filter(lambda n: n != body[field]))
        else:
            new = data.draw(st.text(max_size=20).filter(lambda t: t != body[field]))
        got = check({**body, field: new})
        assert isinstance(got, Verdict)
        expected = {"MaDoiTac": "unknown_partner"}.get(field, "invalid_checksum")
        assert got.outcome in (expected, "malformed")

    @FAST
    @given(notifications, st.sampled_from(["{} ", " {}", "0{}", "+{}", "{}.0"]))
    def test_a_signed_amount_written_otherwise_is_refused(self, notification: Notification,
                                                         pattern: str) -> None:
        """The same number in other text (" 050000 " for 50000) is not what was signed."""
        body = wire(notification)
        got = check({**body, "SoTien": pattern.format(body["SoTien"])})
        assert isinstance(got, Verdict) and got.outcome in ("invalid_checksum", "malformed")

    @FAST
    @given(notifications, st.sampled_from(["0{}", "{}"]))
    def test_the_amount_is_checked_as_the_sender_wrote_and_signed_it(
        self, notification: Notification, pattern: str
    ) -> None:
        body = wire(notification)
        text = pattern.format(body["SoTien"])
        values = [text if name == "SoTien" else ("" if body[name] is None else str(body[name]))
                  for name in Notification.SIGNED]
        got = check({**body, "SoTien": text, "MaXacThuc": checksum(values, SECRET)})
        assert isinstance(got, Notification) and got.amount == notification.amount

    @FAST
    @given(notifications, st.text(max_size=130))
    @example(Notification(error_code="00", partner=PARTNER, reference="TT-1",
                          transaction_id="GD-1", amount=1, time="20261128091600"), "é" * 64)
    def test_any_other_checksum_is_refused(self, notification: Notification,
                                           forged: str) -> None:
        body = wire(notification)
        if forged != body["MaXacThuc"]:
            got = check({**body, "MaXacThuc": forged})
            assert isinstance(got, Verdict) and got.outcome in ("invalid_checksum", "malformed")

    @FAST
    @given(notifications, st.sampled_from(["MaLoi", "MaThamChieu", "MaGiaoDich", "SoTien",
                                           "ThoiGianGD", "MaDoiTac"]))
    def test_a_missing_field_is_malformed(self, notification: Notification, field: str) -> None:
        body = wire(notification)
        del body[field]
        got = check(body)
        assert isinstance(got, Verdict) and got.outcome == "malformed"


class TestAnyBody:
    @FAST
    @given(json_values)
    @example(None)
    @example([])
    @example("00")
    def test_is_refused_without_raising(self, body: Any) -> None:
        assert isinstance(check(body), Verdict)

    @FAST
    @given(st.fixed_dictionaries({}, optional={
        name: json_values for name in (*Notification.SIGNED, "MaXacThuc")}))
    @example({"MaLoi": "00", "MaDoiTac": PARTNER, "MaThamChieu": "TT-1", "MaGiaoDich": "1",
              "SoTien": 1, "ThoiGianGD": "20261128091600", "MaXacThuc": "ữ"})
    def test_with_the_notification_fields_of_any_type_is_refused_without_raising(
        self, body: dict[str, Any]
    ) -> None:
        assert isinstance(check(body), Verdict)
