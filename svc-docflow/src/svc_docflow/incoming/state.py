"""Statuses of an incoming document (văn bản đến) and its transition table: for each action, the
statuses it may start from, the status it leads to, the edXML status code answered to the sender
and the event it publishes. The one place the lifecycle is written down (README: "Incoming
documents")."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from egov_shared.events.contracts import (
    DOCUMENT_ASSIGNED,
    DOCUMENT_COMPLETED,
    DOCUMENT_RECALLED,
    DOCUMENT_RECEIVED,
    DOCUMENT_REFUSED,
    DOCUMENT_REGISTERED,
    EventContract,
)


class Status(StrEnum):
    RECEIVED = "received"  # đã đến (01): waits for the clerk
    REFUSED = "refused"  # từ chối tiếp nhận (02)
    REGISTERED = "registered"  # đã vào sổ, có số đến (03)
    ASSIGNED = "assigned"  # lãnh đạo đã phân công (04)
    IN_PROGRESS = "in_progress"  # đơn vị chủ trì đang xử lý (05)
    DONE = "done"  # hoàn thành (06)
    RECALLED = "recalled"  # bên gửi đã thu hồi (answered 15)


STATUS_NAMES: dict[str, str] = {
    Status.RECEIVED: "Đã đến, chờ vào sổ",
    Status.REFUSED: "Từ chối tiếp nhận",
    Status.REGISTERED: "Đã vào sổ",
    Status.ASSIGNED: "Đã phân công",
    Status.IN_PROGRESS: "Đang xử lý",
    Status.DONE: "Hoàn thành",
    Status.RECALLED: "Bên gửi đã thu hồi",
}

# Statuses where the document still waits for someone here: a deadline can be missed.
OPEN = frozenset({Status.RECEIVED, Status.REGISTERED, Status.ASSIGNED, Status.IN_PROGRESS})
# Before "done", a sender may still recall or update what it sent (answered 15; after: 16).
RECALLABLE = OPEN


class Action(StrEnum):
    RECEIVE = "received"
    REFUSE = "refused"
    REGISTER = "registered"
    ASSIGN = "assigned"
    PROGRESS = "progress"
    COMPLETE = "done"
    RECALL = "recalled"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[Status]
    target: Status
    status_code: str | None  # the edXML status package answered to the sender
    event: EventContract | None


S = Status
TRANSITIONS: dict[Action, Transition] = {
    Action.REFUSE: Transition(frozenset({S.RECEIVED}), S.REFUSED, "02", DOCUMENT_REFUSED),
    Action.REGISTER: Transition(frozenset({S.RECEIVED}), S.REGISTERED, "03", DOCUMENT_REGISTERED),
    Action.ASSIGN: Transition(frozenset({S.REGISTERED, S.ASSIGNED}), S.ASSIGNED, "04",
                              DOCUMENT_ASSIGNED),
    Action.PROGRESS: Transition(frozenset({S.ASSIGNED, S.IN_PROGRESS}), S.IN_PROGRESS, "05",
                                None),
    Action.COMPLETE: Transition(frozenset({S.ASSIGNED, S.IN_PROGRESS}), S.DONE, "06",
                                DOCUMENT_COMPLETED),
    Action.RECALL: Transition(RECALLABLE, S.RECALLED, "15", DOCUMENT_RECALLED),
}
RECEIVED_EVENT = DOCUMENT_RECEIVED

# What each status package says, in the sender's language (StatusPackage/Description).
DESCRIPTIONS: dict[str, str] = {
    "01": "Văn bản đã đến cơ quan nhận.",
    "02": "Cơ quan nhận từ chối tiếp nhận văn bản.",
    "03": "Văn bản đã được vào sổ văn bản đến.",
    "04": "Văn bản đã được phân công xử lý.",
    "05": "Văn bản đang được xử lý.",
    "06": "Văn bản đã được xử lý xong.",
    "15": "Đồng ý thu hồi/cập nhật văn bản.",
    "16": "Từ chối thu hồi/cập nhật văn bản.",
}

# Assignment roles (phân công): exactly one lead unit.
LEAD, COOPERATE, INFO = "lead", "cooperate", "info"
