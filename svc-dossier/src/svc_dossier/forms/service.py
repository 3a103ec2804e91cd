"""Form use cases: load what the caller may see → derive the form's facts (sources.py) →
draw it (render.py) → for the receipt, sign it (signing.py) when a one-stop-shop officer
downloads it. Reads only; never commits.

Signing never stops the counter: when the agency has no valid organisational certificate or
svc-identity does not answer or refuses, the officer still gets the receipt, unsigned, marked
``X-Signature: none`` with the reason, to print and stamp by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import structlog
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import Forbidden, NotFound, ValidationFailed
from egov_shared.timeutil import VN_TZ, to_vn, utcnow
from svc_dossier.dossiers.service import OFFICER_ROLES, load_visible
from svc_dossier.dossiers.state import STATUS_NAMES
from svc_dossier.forms import repository, sources
from svc_dossier.forms.copies import SignedCopies
from svc_dossier.forms.identity import Identity, SigningUnavailable
from svc_dossier.forms.render import Rendered, render
from svc_dossier.forms.schemas import (
    AnyForm,
    DossierFacts,
    DossierForm,
    Issuer,
    Register,
    RegisterLine,
    Stamp,
)
from svc_dossier.forms.signing import RemoteSigner, sign_pdf, signing_moment

log = structlog.get_logger("svc_dossier.forms")
SIGNER_ROLE = "one_stop_officer"
MAX_REGISTER_DAYS = 366


@dataclass(frozen=True)
class Download:
    pdf: bytes
    filename: str
    signature: str = "none"  # "pades" or "none"
    reason: str | None = None  # why not signed
    serial: str | None = None  # the signing certificate


@dataclass(frozen=True)
class Caller:
    principal: Principal
    token: str | None
    identity_url: str
    copies: SignedCopies


async def dossier_form(session: AsyncSession, caller: Caller, code: str,
                       form: DossierForm) -> Download:
    row = await load_visible(session, caller.principal, code)
    history = await repository.history_of(session, row.id)
    source = sources.source_of(form, history)
    if source is None:
        raise NotFound(f"Hồ sơ {code} không có mẫu {form}.", code="form_not_available",
                       extra={"form": form})
    async with Identity(caller.identity_url, caller.token) as identity:
        # Forms 01–05 come from the desk that received the dossier: the service centre's
        # for the departments' procedures it receives, else the responsible agency's own.
        issuer = await issuer_of(identity, row.reception_agency_id or row.agency_id)
        content = await _content(session, identity, caller, form, row, source, issuer)
        issued_on = utcnow() if form == "05" else sources.aware(source.at) or utcnow()
        rendered = render(content, issued_on=issued_on, reference=code)
        name = f"{code}-mau-{form}.pdf"
        if form != "01":
            return Download(rendered.pdf, name)
        return await _receipt(identity, caller, code, rendered, name)


async def _content(session: AsyncSession, identity: Identity, caller: Caller,
                   form: DossierForm, row: Row[Any], source: Any, issuer: Issuer) -> AnyForm:
    procedure = await repository.procedure_of(session, row.procedure_code)
    facts = _facts(row, procedure)
    viewer = caller.principal
    officer = sources.officer_name(source, viewer.subject, viewer.claims.get("name"))
    if form == "01":
        return sources.receipt(issuer, facts, row, procedure, source, officer)
    if form == "02":
        return sources.supplement_slip(issuer, facts, source, officer)
    if form == "03":
        return sources.refusal_slip(issuer, facts, source, officer)
    if form == "04":
        return sources.apology_slip(issuer, facts, source)
    hops = await repository.hops_of(session, row.id)
    units = {a for h in hops for a in (h.from_agency_id, h.to_agency_id)}
    names = {a: await agency_name(identity, a) for a in units}
    return sources.control_sheet(issuer, facts, row, source, hops, names, utcnow())


def _facts(row: Row[Any], procedure: Row[Any] | None) -> DossierFacts:
    applicant = dict((row.form_data or {}).get("applicant") or {})
    return DossierFacts(
        code=row.code, agency_id=row.agency_id, procedure_code=row.procedure_code,
        procedure_name=procedure.name if procedure else row.procedure_code,
        applicant_name=row.applicant_name or applicant.get("full_name") or "",
        applicant_id_number=row.applicant_id_number, applicant_phone=applicant.get("phone"),
        applicant_email=applicant.get("email"),
        representative=_representative((row.form_data or {}).get("representative")))


def _representative(value: Any) -> str | None:
    """The authorised representative as printed: name (relationship; authorisation shown)."""
    if not isinstance(value, dict) or not value.get("full_name"):
        return None
    details = "; ".join(str(value[k]) for k in ("relationship", "authorisation") if value.get(k))
    return f"{value['full_name']} ({details})" if details else str(value["full_name"])


async def agency_name(identity: Identity, agency_id: str) -> str:
    agency = await identity.agency(agency_id)
    return str(agency["name"]) if agency else agency_id


async def issuer_of(identity: Identity, agency_id: str) -> Issuer:
    """The header: the agency's superior (its parent) over the agency itself."""
    agency = await identity.agency(agency_id)
    if agency is None:
        return Issuer(superior="", name=agency_id)
    parent = agency.get("parent_id")
    superior = await agency_name(identity, parent) if parent else ""
    return Issuer(superior=superior, name=str(agency["name"]))


async def _receipt(identity: Identity, caller: Caller, code: str, rendered: Rendered,
                   name: str) -> Download:
    """Officers of the one-stop shop sign (and keep the copy); others get the last signed
    copy, or the unsigned receipt."""
    principal = caller.principal
    if principal.kind == "official" and principal.has_role(SIGNER_ROLE):
        try:
            signed, serial = await _sign(identity, principal, rendered)
        except SigningUnavailable as exc:
            log.warning("receipt_not_signed", dossier=code, reason=exc.reason, detail=str(exc))
            return Download(rendered.pdf, name, reason=exc.reason)
        await caller.copies.save(code, signed)
        return Download(signed, name, "pades", serial=serial)
    stored = await caller.copies.load(code)
    if stored is not None:
        return Download(stored, name, "pades")
    return Download(rendered.pdf, name, reason="not_signed_yet")


async def _sign(identity: Identity, principal: Principal,
                rendered: Rendered) -> tuple[bytes, str]:
    """With the valid organisational certificate of the officer's own agency (svc-identity
    lets only that agency's officers use it)."""
    if principal.agency_id is None or rendered.stamp_box is None or rendered.stamp_page is None:
        raise SigningUnavailable("no_certificate")
    certificate = await identity.certificate(principal.agency_id)
    signer = RemoteSigner(identity, certificate["certificate_pem"], certificate["serial"],
                          await identity.ca_pem())
    holder = await agency_name(identity, principal.agency_id)
    moment = signing_moment(to_vn(utcnow()) or utcnow())
    stamp = Stamp(signer=holder, signed_at=moment, box=rendered.stamp_box)
    try:
        signed = await sign_pdf(rendered.pdf, signer=signer, stamp=stamp,
                                page=rendered.stamp_page, reason=rendered.title,
                                location="Thanh Hóa")
    except (ValueError, KeyError) as exc:  # e.g. an answer that is not a signature
        raise SigningUnavailable("signing_failed", type(exc).__name__) from exc
    return signed, str(certificate["serial"])


async def register_form(session: AsyncSession, caller: Caller, agency_id: str, start: date,
                        end: date) -> Download:
    """Mẫu 06 for an agency subtree the caller covers, dossiers received in [start, end]."""
    principal = caller.principal
    if not (principal.kind == "official" and principal.has_role(*OFFICER_ROLES)):
        raise Forbidden("Sổ theo dõi hồ sơ chỉ dành cho cán bộ.", code="register_for_officers")
    if not principal.covers_agency(agency_id):
        raise Forbidden("Cơ quan này nằm ngoài phạm vi của bạn.", code="agency_not_covered")
    if end < start or (end - start).days >= MAX_REGISTER_DAYS:
        raise ValidationFailed(f"Khoảng thời gian phải từ 1 đến {MAX_REGISTER_DAYS} ngày.",
                               code="invalid_period")
    rows = await repository.register(session, agency_id, _vn_midnight(start),
                                     _vn_midnight(end + timedelta(days=1)))
    async with Identity(caller.identity_url) as identity:
        issuer = await issuer_of(identity, agency_id)
    lines = [RegisterLine(r.code, r.procedure_name, r.applicant_name or "",
                          sources.aware(r.received_at), sources.aware(r.due_at),
                          sources.aware(r.completed_at), STATUS_NAMES[r.status_code],
                          r.timeliness) for r in rows]
    register = Register(issuer, agency_id, start, end, lines)
    reference = f"{agency_id} {start:%d/%m/%Y}–{end:%d/%m/%Y}"
    rendered = render(register, issued_on=utcnow(), reference=reference)
    return Download(rendered.pdf, f"so-theo-doi-{agency_id}-{start:%Y%m%d}-{end:%Y%m%d}.pdf")


def _vn_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), VN_TZ)
