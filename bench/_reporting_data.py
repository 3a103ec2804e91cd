"""Shared by the reporting benchmarks: the events of generated dossiers through their
lifecycle, as svc-dossier publishes them, in a province of 41 agencies on three levels.

- ``H56`` the province, 8 departments and districts ``H56.10``…``H56.17``, each with 4 units
  ``H56.10.01``…: 85 % of the dossiers go to a unit, 15 % to a department;
- channels online 65 %, counter 30 %, post 5 %; online procedures full (toàn trình) 60 %;
- online dossiers are received 1–4 h later or refused (8 %); components digitised at the
  counter or reused from the data store; fees paid for 30 % (70 % through the national payment
  platform); 4 % withdrawn; the last 20 days' dossiers half still in progress; the rest
  returned early 20 %, on time 70 %, late 10 %, an electronic result for half, rated by 60 %.

``dossier_events`` gives (contract, data) pairs with datetimes; ``envelope`` turns one into
the CloudEvent JSON svc-dossier's outbox would publish."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from egov_shared.events import contracts as c
from egov_shared.timeutil import VN_TZ

PROVINCE = "H56"
DEPARTMENTS = [f"H56.{n}" for n in range(10, 18)]
UNITS = [f"{d}.{m:02d}" for d in DEPARTMENTS for m in range(1, 5)]
PROCEDURE = "1.000001.000.00.00.H56"
Event = tuple[c.EventContract, dict[str, Any]]


class Dossiers:
    """``count`` dossiers submitted evenly from ``start`` to ``end``, deterministic."""

    def __init__(self, count: int, start: datetime, end: datetime, seed: int = 766) -> None:
        self.count, self.start, self.end = count, start, end
        self.rng = random.Random(seed)
        self.step = (end - start) / max(count, 1)

    def __iter__(self) -> Iterator[list[Event]]:
        for i in range(self.count):
            yield self.dossier(i)

    def dossier(self, i: int) -> list[Event]:
        rng = self.rng
        agency = rng.choice(UNITS) if rng.random() < 0.85 else rng.choice(DEPARTMENTS)
        at = self.start + self.step * i
        channel = rng.choices(("online", "counter", "post"), (65, 30, 5))[0]
        base = {"code": f"{agency}-{at.astimezone(VN_TZ):%y%m%d}-{i:07d}", "agency_id": agency,
                "procedure_code": PROCEDURE, "channel": channel,
                "online_level": "full" if rng.random() < 0.6 else "partial"}
        due = at + timedelta(days=rng.choice((3, 5, 10, 15)))
        events: list[Event] = [(c.DOSSIER_SUBMITTED, {
            **base, "status_code": 1 if channel == "online" else 2, "submitted_at": at,
            "due_at": None if channel == "online" else due})]
        if channel == "online":
            at += timedelta(hours=rng.randrange(1, 5))
            if rng.random() < 0.08:
                events.append(_change(c.DOSSIER_REFUSED, base, "refuse", 1, 3, at, None))
                return events
            events.append(_change(c.DOSSIER_RECEIVED, base, "receive", 1, 2, at, at,
                                  due_at=due))
        self._after_receipt(events, base, at, due)
        return events

    def _after_receipt(self, events: list[Event], base: dict[str, Any], received: datetime,
                       due: datetime) -> None:
        rng = self.rng
        events.append((c.DOSSIER_COMPONENT_DIGITISED if base["channel"] != "online"
                       else c.DOSSIER_COMPONENT_REUSED, _component(base, received)))
        fate, at = rng.random(), received + timedelta(hours=rng.randrange(2, 200))
        if fate < 0.04:
            events.append(_change(c.DOSSIER_WITHDRAWN, base, "withdraw", 2, 7, at, received))
            return
        if at > self.end or (received > self.end - timedelta(days=20) and fate < 0.5):
            return  # still in progress
        if rng.random() < 0.3:
            amount = rng.choice((50_000, 100_000, 200_000))
            actor = "system" if rng.random() < 0.7 else "official"
            events.append(_change(c.DOSSIER_PAYMENT_REQUESTED, base, "request_payment", 4, 6,
                                  at, received, amount=amount))
            events.append(_change(c.DOSSIER_PAYMENT_RECEIVED, base, "payment_received", 6, 4,
                                  at, received, amount=amount, actor_kind=actor))
        self._returned(events, base, received, at, due)

    def _returned(self, events: list[Event], base: dict[str, Any], received: datetime,
                  at: datetime, due: datetime) -> None:
        rng = self.rng
        timeliness = rng.choices(("early", "on_time", "late"), (20, 70, 10))[0]
        statutory = (due - received).days * 8.0
        events.append(_change(
            c.DOSSIER_RETURNED, base, "return_result", 9, 10, at, received,
            timeliness=timeliness, completed_at=at, statutory_working_hours=statutory,
            processing_working_hours=round(statutory * rng.uniform(0.3, 1.3), 1)))
        if rng.random() < 0.5:
            events.append((c.DOSSIER_RESULT_ISSUED, {**_component(base, at),
                                                     "component_code": None,
                                                     "source": "result"}))
        if rng.random() < 0.6:
            scores = {k: rng.randint(2, 5) for k in ("tiep_can", "thu_tuc", "ket_qua")}
            average = round(sum(scores.values()) / 3, 2)
            events.append((c.DOSSIER_RATED, {**base, "scores": scores, "average": average,
                                             "satisfied": average >= 4, "at": at}))


def _change(contract: c.EventContract, base: dict[str, Any], action: str, before: int,
            after: int, at: datetime, received: datetime | None, *,
            actor_kind: str = "official", **extra: Any) -> Event:
    return (contract, {**base, "action": action, "status_code_before": before,
                       "status_code": after, "at": at, "received_at": received,
                       "actor_kind": actor_kind, **extra})


def _component(base: dict[str, Any], at: datetime) -> dict[str, Any]:
    source = "counter_scan" if base["channel"] != "online" else "datastore_reuse"
    return {"code": base["code"], "agency_id": base["agency_id"],
            "procedure_code": base["procedure_code"], "component_code": "TP1",
            "source": source, "at": at}


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def envelope(contract: c.EventContract, data: dict[str, Any]) -> bytes:
    """The CloudEvent JSON of one event (what the outbox relay publishes)."""
    return json.dumps({
        "specversion": "1.0", "id": str(uuid.uuid4()), "source": "/svc-dossier",
        "type": contract.type, "subject": data["code"],
        "time": _json_value(data.get("at") or data.get("submitted_at")),
        "datacontenttype": "application/json", "agency": data["agency_id"],
        "data": {k: _json_value(v) for k, v in data.items()},
    }, ensure_ascii=False).encode()
