"""Dossier statuses (the national codes TrangThaiHoSo 1–10) and the lifecycle's transition
table: for each action, the statuses it may start from, the status it leads to, who may do it
and the event it publishes. The one place the lifecycle is written down (README: "Lifecycle").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

from egov_shared.events.contracts import (
    DOSSIER_APOLOGISED,
    DOSSIER_DECIDED,
    DOSSIER_HANDED_OVER,
    DOSSIER_PAYMENT_RECEIVED,
    DOSSIER_PAYMENT_REQUESTED,
    DOSSIER_RECEIVED,
    DOSSIER_REFUSED,
    DOSSIER_RETURNED,
    DOSSIER_STOPPED,
    DOSSIER_SUPPLEMENT_REQUESTED,
    DOSSIER_SUPPLEMENTED,
    DOSSIER_WITHDRAWN,
    EventContract,
)


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

# Statuses whose clock runs: the due time matters (due soon, overdue, apology). Not 1 (not yet
# received) nor 5 (paused while the applicant supplements).
CLOCK_RUNNING = frozenset({Status.RECEIVED, Status.PROCESSING, Status.PAYMENT_REQUESTED,
                           Status.DECIDED})
FINISHED = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED})

# Who may act. Officials' roles cover their agency's subtree; "applicant" is the account that
# submitted the dossier online. A platform administrator has none of these business actions.
APPLICANT = "applicant"
ONE_STOP = "one_stop_officer"
PROCESSING = "processing_officer"
LEADER = "leader"
SYSTEM = "system"  # a platform component (the payments slice's callback), never a token


class Action(StrEnum):
    RECEIVE = "receive"
    REFUSE = "refuse"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUPPLEMENT = "supplement"
    HAND_OVER = "hand_over"
    REQUEST_PAYMENT = "request_payment"
    PAYMENT_RECEIVED = "payment_received"
    DECIDE = "decide"
    RETURN_RESULT = "return_result"
    WITHDRAW = "withdraw"
    STOP = "stop"
    APOLOGISE = "apologise"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[Status]
    target: Status | None  # None: unchanged (apologise) or back to before the pause (supplement)
    actors: frozenset[str]
    event: EventContract


def _t(sources: set[Status], target: Status | None, actors: set[str],
       event: EventContract) -> Transition:
    return Transition(frozenset(sources), target, frozenset(actors), event)


S = Status
TRANSITIONS: dict[Action, Transition] = {
    Action.RECEIVE: _t({S.SUBMITTED}, S.RECEIVED, {ONE_STOP}, DOSSIER_RECEIVED),
    Action.REFUSE: _t({S.SUBMITTED, S.RECEIVED}, S.REFUSED, {ONE_STOP}, DOSSIER_REFUSED),
    Action.REQUEST_SUPPLEMENT: _t({S.RECEIVED, S.PROCESSING}, S.SUPPLEMENT_REQUESTED,
                                  {ONE_STOP, PROCESSING}, DOSSIER_SUPPLEMENT_REQUESTED),
    Action.SUPPLEMENT: _t({S.SUPPLEMENT_REQUESTED}, None, {APPLICANT, ONE_STOP},
                          DOSSIER_SUPPLEMENTED),
    Action.HAND_OVER: _t({S.RECEIVED, S.PROCESSING}, S.PROCESSING, {PROCESSING},
                         DOSSIER_HANDED_OVER),
    Action.REQUEST_PAYMENT: _t({S.PROCESSING}, S.PAYMENT_REQUESTED, {ONE_STOP, PROCESSING},
                               DOSSIER_PAYMENT_REQUESTED),
    Action.PAYMENT_RECEIVED: _t({S.PAYMENT_REQUESTED}, S.PROCESSING, {ONE_STOP, SYSTEM},
                                DOSSIER_PAYMENT_RECEIVED),
    Action.DECIDE: _t({S.PROCESSING}, S.DECIDED, {LEADER}, DOSSIER_DECIDED),
    Action.RETURN_RESULT: _t({S.DECIDED}, S.RETURNED, {ONE_STOP}, DOSSIER_RETURNED),
    Action.WITHDRAW: _t({S.SUBMITTED, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED},
                        S.WITHDRAWN, {APPLICANT}, DOSSIER_WITHDRAWN),
    Action.STOP: _t({S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED},
                    S.STOPPED, {PROCESSING}, DOSSIER_STOPPED),
    Action.APOLOGISE: _t(set(CLOCK_RUNNING), None, {LEADER}, DOSSIER_APOLOGISED),
}


def allowed_from(action: Action, status: int) -> bool:
    return status in TRANSITIONS[action].sources

# Vietnamese names of the actions, for messages and the history shown to users.
ACTION_NAMES: dict[str, str] = {
    "submit": "nộp hồ sơ",
    Action.RECEIVE: "tiếp nhận hồ sơ",
    Action.REFUSE: "từ chối tiếp nhận",
    Action.REQUEST_SUPPLEMENT: "yêu cầu bổ sung hồ sơ",
    Action.SUPPLEMENT: "bổ sung hồ sơ",
    Action.HAND_OVER: "chuyển xử lý",
    Action.REQUEST_PAYMENT: "yêu cầu thực hiện nghĩa vụ tài chính",
    Action.PAYMENT_RECEIVED: "ghi nhận đã thanh toán",
    Action.DECIDE: "phê duyệt kết quả",
    Action.RETURN_RESULT: "trả kết quả",
    Action.WITHDRAW: "rút hồ sơ",
    Action.STOP: "dừng xử lý",
    Action.APOLOGISE: "xin lỗi và hẹn lại ngày trả kết quả",
}
