"""Deadline rules of the lifecycle (pure, no I/O): when the clock starts, the due time at
receipt, and the timeliness class (trước hạn / đúng hạn / quá hạn) at the return of the result.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from svc_dossier.calendar.arithmetic import timeliness as calendar_timeliness
from svc_dossier.calendar.service import WorkCalendar

Timeliness = Literal["early", "on_time", "late"]


def aware(moment: datetime) -> datetime:
    """A stored moment as an aware datetime: SQLite hands back naive UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def clock_start(calendar: WorkCalendar, received_at: datetime,
                after_15h_next_day: bool) -> datetime:
    """When the statutory duration starts counting: the calendar's rule (for a procedure with
    the after-15:00 rule, a dossier received after 15:00 Vietnam time on a working day counts
    from the next working day's opening; otherwise from the moment of receipt)."""
    return calendar.counting_start(aware(received_at), after_15h_next_day)


def due_at_for(calendar: WorkCalendar, procedure: Any, channel: str,
               received_at: datetime) -> datetime:
    """Due time of a dossier of ``procedure`` received at ``received_at`` through ``channel``:
    the online duration where the procedure has one and the dossier came online."""
    duration = procedure.duration
    if channel == "online" and procedure.online_duration:
        duration = procedure.online_duration
    return calendar.due_at(aware(received_at), int(duration), procedure.duration_unit,
                           after_15h_next_day=bool(procedure.after_15h_next_day)
                           ).astimezone(UTC)


def timeliness(completed_at: datetime, due_at: datetime) -> Timeliness:
    """``early`` when completed before the due day (Vietnam time), ``on_time`` when not after
    the due time, ``late`` otherwise: the calendar's rule, on stored (UTC) moments."""
    return calendar_timeliness(aware(completed_at), aware(due_at))
