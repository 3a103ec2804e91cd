"""Numbers from a register (NĐ 30/2020): from 01 on 1 January to 31 December (Vietnam time),
unique per register and year, without gaps. Outgoing documents take their number here when
issued, incoming ones their arrival number when registered: both call ``register_for`` then
``take_number`` inside the transaction that records the number, and commit soon after (the
counter row stays locked until then).

When an agency has no register of a direction yet, its first use creates the default one
(``Sổ văn bản đi`` / ``Sổ văn bản đến``) numbering every type; outgoing, with the issuer
notation the caller derived (``issuer_notation_of``). Once an agency has registers of a
direction, nothing is created behind the clerk's back: a type no active register numbers is
409 ``no_register``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.errors import Conflict
from egov_shared.settings import ServiceSettings
from egov_shared.text import fold
from egov_shared.timeutil import VN_TZ, utcnow
from svc_docflow.registers import repository

DEFAULT_NAMES = {"outgoing": "Sổ văn bản đi", "incoming": "Sổ văn bản đến"}

# Names that have a fixed abbreviation, by their folded beginning.
FIXED_NOTATIONS = (("uy ban nhan dan", "UBND"), ("ubnd", "UBND"),
                   ("hoi dong nhan dan", "HĐND"), ("hdnd", "HĐND"))
# Where an agency's name stops and its place begins ("Sở Tư pháp | tỉnh Thanh Hóa"); the place
# words are written in lower case in names, unlike "Xã hội" in a department's name.
_PLACE = re.compile(r"\s+(tỉnh|thành phố|huyện|quận|thị xã|xã|phường|đặc khu)\s.*$")
_SMALL_WORDS = {"va"}  # "và" is left out of initials: Sở Kế hoạch và Đầu tư → SKHĐT


def issuing_now(settings: ServiceSettings) -> datetime:
    """Now, for numbering and promulgation: the real clock, unless the settings fix one
    (``DOCFLOW_ISSUE_CLOCK``, tests and training only)."""
    fixed: datetime | None = getattr(settings, "issue_clock", None)
    return fixed if fixed is not None else utcnow()


def vn_year(moment: datetime) -> int:
    """The numbering year of a moment: its year in Vietnam time."""
    return moment.astimezone(VN_TZ).year


def issuer_notation_of(agency_name: str) -> str:
    """The abbreviation an agency's name gives by the usual practice: "UBND" for a people's
    committee (tỉnh, xã, phường alike), else the initials of the name without its place
    (Sở Tư pháp tỉnh Thanh Hóa → STP, Trung tâm Phục vụ hành chính công → TTPVHCC), whole
    upper-case words kept (Văn phòng UBND → VPUBND). A clerk or administrator can set another
    on the register."""
    core = _PLACE.sub("", agency_name.strip())
    folded = fold(core)
    for start, notation in FIXED_NOTATIONS:
        if folded.startswith(start):
            return notation
    words = [w for w in core.split() if w[0].isalnum() and fold(w) not in _SMALL_WORDS]
    initials = "".join(w if w.isupper() and len(w) > 1 else w[0].upper() for w in words)
    return initials[:30] or "CQ"


async def take_number(session: AsyncSession, register_id: str, year: int) -> int:
    """The next number of the register in ``year`` (1 for the first); the counter row is
    locked until the caller's transaction ends. Rolled back with it: no gap."""
    return await repository.increment_counter(session, register_id, year)


async def register_for(session: AsyncSession, agency_id: str, direction: str,
                       doc_type: str, *, issuer_notation: str | None = None) -> Row[Any]:
    """The active register of ``agency_id`` that numbers ``doc_type`` in ``direction``: one
    naming the type, else the general one (no ``doc_types``). Creates the default register
    on the agency's first use of the direction (``issuer_notation`` for an outgoing one).
    409 ``no_register`` when the agency has registers of that direction but none for it."""
    active = await repository.of_agency(session, agency_id, direction, active_only=True)
    if not active and not await repository.of_agency(session, agency_id, direction):
        await repository.insert_if_absent(session, default_register(
            agency_id, direction, issuer_notation))
        active = await repository.of_agency(session, agency_id, direction, active_only=True)
    chosen = pick(active, doc_type)
    if chosen is None:
        raise Conflict(f"Không có sổ văn bản nào đang dùng cho loại {doc_type}.",
                       code="no_register", extra={"doc_type": doc_type})
    return chosen


def pick(registers: Sequence[Row[Any]], doc_type: str) -> Row[Any] | None:
    """A register naming the type wins over the general one."""
    named = [r for r in registers if r.doc_types and doc_type in r.doc_types]
    general = [r for r in registers if not r.doc_types]
    return next(iter(named or general), None)


def default_register(agency_id: str, direction: str,
                     issuer_notation: str | None) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "agency_id": agency_id, "direction": direction,
            "name": DEFAULT_NAMES[direction], "doc_types": None,
            "issuer_notation": issuer_notation if direction == "outgoing" else None,
            "active": True, "created_at": utcnow()}
