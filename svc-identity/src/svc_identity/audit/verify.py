"""Verification of the audit log: the chain recomputed from the first entry, every seal's
signature and hash checked against it. The first break is named (its place and row id):
an entry altered, missing (deleted) or out of place (reordered), or a seal that does not
hold."""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy.ext.asyncio import AsyncSession

from svc_identity.audit import chain, repository, seals
from svc_identity.models import AuditEvent, AuditSeal

PAGE = 1000


@dataclass
class Problem:
    seq: int | None
    entry_id: int | None
    en: str
    vi: str


@dataclass
class Report:
    entries: int = 0
    seals: int = 0
    unchained: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        out = [f"Nhật ký kiểm toán / Audit log: {self.entries} mục / entries, "
               f"{self.seals} dấu niêm phong / seals."]
        if self.ok:
            out.append("HỢP LỆ / OK: chuỗi băm nguyên vẹn, mọi dấu niêm phong đúng / the hash "
                       "chain is intact and every seal holds.")
        for p in self.problems:
            out.append(f"LỖI / BROKEN: {p.vi} / {p.en}")
        return out


def _check_entry(event: AuditEvent, seq: int, prev: str) -> Problem | None:
    where = f"mục số {seq} (id {event.id})", f"entry {seq} (id {event.id})"
    if event.seq != seq:
        return Problem(seq, None, f"entry {seq} is missing (deleted or moved; found entry "
                       f"{event.seq}, id {event.id})", f"thiếu mục số {seq} (bị xóa hoặc "
                       f"đổi chỗ; gặp mục số {event.seq}, id {event.id})")
    if event.prev_hash != prev:
        return Problem(seq, event.id, f"{where[1]} does not follow the entry before it "
                       "(reordered or an entry removed)",
                       f"{where[0]} không nối tiếp mục trước (bị đổi chỗ hoặc xóa)")
    if event.entry_hash != chain.entry_hash(prev, event, seq):
        return Problem(seq, event.id, f"{where[1]} was altered",
                       f"{where[0]} đã bị sửa")
    return None


async def _walk(session: AsyncSession, report: Report, wanted: set[int]) -> dict[int, str]:
    """The chain from its start; the hashes at the ``wanted`` places (the seals')."""
    seq, prev = 0, chain.GENESIS
    at: dict[int, str] = {}
    while page := await repository.chained_page(session, seq, PAGE):
        for event in page:
            problem = _check_entry(event, seq + 1, prev)
            if problem is not None:
                report.problems.append(problem)
                return at
            seq, prev = seq + 1, str(event.entry_hash)
            report.entries = seq
            if seq in wanted:
                at[seq] = prev
    return at


def _check_seal(seal: AuditSeal, hashes: dict[int, str], last_good: int, broken: bool,
                keys: dict[str, ec.EllipticCurvePublicKey]) -> Problem | None:
    why = seals.seal_problem(seal, keys)
    if why is not None:
        return Problem(seal.seq, None, f"seal {seal.id} (entry {seal.seq}): {why}",
                       f"dấu niêm phong {seal.id} (mục số {seal.seq}): chữ ký không hợp lệ")
    if seal.seq > last_good and not broken:
        return Problem(seal.seq, None, f"seal {seal.id} covers entry {seal.seq}, which is "
                       "missing (the end of the log was deleted)",
                       f"dấu niêm phong {seal.id} xác nhận mục số {seal.seq}, nay không còn "
                       "(cuối nhật ký bị xóa)")
    if seal.seq in hashes and hashes[seal.seq] != seal.entry_hash:
        return Problem(seal.seq, None, f"seal {seal.id}: entry {seal.seq} is not the one sealed",
                       f"dấu niêm phong {seal.id}: mục số {seal.seq} không còn như lúc niêm "
                       "phong")
    return None


async def verify(session: AsyncSession, keys: dict[str, ec.EllipticCurvePublicKey]) -> Report:
    report = Report()
    all_seals = await repository.all_seals(session)
    report.seals = len(all_seals)
    hashes = await _walk(session, report, {s.seq for s in all_seals})
    broken = bool(report.problems)
    for seal in all_seals:
        problem = _check_seal(seal, hashes, report.entries, broken, keys)
        if problem is not None:
            report.problems.append(problem)
    report.unchained = await repository.count_unchained(session)
    if report.unchained:
        report.problems.append(Problem(
            None, None, f"{report.unchained} entries are outside the chain (not yet adopted, "
            "or inserted behind the service's back)",
            f"{report.unchained} mục nằm ngoài chuỗi băm (chưa được nối, hoặc bị chèn)"))
    return report
