"""Statuses of an outgoing document (văn bản đi) and its transition table: for each action, the
statuses it may start from, the status it leads to, who may do it and the event it publishes.
The one place the lifecycle is written down (README: "Outgoing lifecycle")."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from egov_shared.events.contracts import (
    DOCUMENT_APPROVED,
    DOCUMENT_ISSUED,
    DOCUMENT_RECALLED,
    DOCUMENT_SIGNED,
    EventContract,
)


class Status(StrEnum):
    DRAFT = "draft"  # dự thảo
    IN_REVIEW = "in_review"  # trình lãnh đạo duyệt
    APPROVED = "approved"  # lãnh đạo đã duyệt
    SIGNED = "signed"  # người ký đã ký số
    NUMBERED = "numbered"  # văn thư đã cấp số, chưa đóng dấu
    ISSUED = "issued"  # đã ban hành (đóng dấu số, gửi đi)
    RECALLED = "recalled"  # đã thu hồi


STATUS_NAMES: dict[str, str] = {
    Status.DRAFT: "Dự thảo",
    Status.IN_REVIEW: "Trình duyệt",
    Status.APPROVED: "Đã duyệt",
    Status.SIGNED: "Đã ký",
    Status.NUMBERED: "Đã cấp số",
    Status.ISSUED: "Đã ban hành",
    Status.RECALLED: "Đã thu hồi",
}

# Who may act, besides covering the document's agency. "drafter" is the account that created
# the draft; "signer" the leader the draft names to sign it.
DRAFTER = "drafter"
CLERK = "clerk"
LEADER = "leader"
SIGNER = "signer"


class Action(StrEnum):
    EDIT = "edit"  # the fields, the recipients, the PDF
    SUBMIT = "submit"
    RETURN = "return"
    APPROVE = "approve"
    SIGN = "sign"
    NUMBER = "number"  # the first half of issuing
    ISSUE = "issue"  # the second half: the seal, then sending
    SEND = "send"
    RECALL = "recall"
    UPDATE = "update"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[Status]
    target: Status
    actors: frozenset[str]
    event: EventContract | None


def _t(sources: set[Status], target: Status, actors: set[str],
       event: EventContract | None = None) -> Transition:
    return Transition(frozenset(sources), target, frozenset(actors), event)


S = Status
TRANSITIONS: dict[Action, Transition] = {
    Action.EDIT: _t({S.DRAFT}, S.DRAFT, {DRAFTER, CLERK}),
    Action.SUBMIT: _t({S.DRAFT}, S.IN_REVIEW, {DRAFTER, CLERK}),
    Action.RETURN: _t({S.IN_REVIEW, S.APPROVED}, S.DRAFT, {LEADER}),
    Action.APPROVE: _t({S.IN_REVIEW}, S.APPROVED, {LEADER}, DOCUMENT_APPROVED),
    Action.SIGN: _t({S.APPROVED}, S.SIGNED, {SIGNER}, DOCUMENT_SIGNED),
    Action.NUMBER: _t({S.SIGNED}, S.NUMBERED, {CLERK}),
    Action.ISSUE: _t({S.NUMBERED}, S.ISSUED, {CLERK}, DOCUMENT_ISSUED),
    Action.SEND: _t({S.ISSUED}, S.ISSUED, {CLERK}),
    Action.RECALL: _t({S.ISSUED}, S.RECALLED, {CLERK, LEADER}, DOCUMENT_RECALLED),
    Action.UPDATE: _t({S.ISSUED}, S.ISSUED, {CLERK, LEADER}),
}

ACTION_NAMES: dict[str, str] = {
    "draft": "soạn dự thảo",
    Action.EDIT: "sửa dự thảo",
    Action.SUBMIT: "trình duyệt",
    Action.RETURN: "trả lại dự thảo",
    Action.APPROVE: "duyệt",
    Action.SIGN: "ký số",
    Action.NUMBER: "cấp số",
    Action.ISSUE: "đóng dấu, ban hành",
    Action.SEND: "gửi qua trục liên thông",
    Action.RECALL: "thu hồi",
    Action.UPDATE: "cập nhật thông tin",
    "status_received": "phản hồi từ nơi nhận",  # a status package from a recipient (axis)
}


def allowed_from(action: Action, status: str) -> bool:
    return status in TRANSITIONS[action].sources
