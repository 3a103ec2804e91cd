"""The demo province (DESIGN §5): Thanh Hóa's agency tree and one official per role.

Loaded at each start when ``demo`` is on, idempotently; never when it is off. Agency IDs follow
the current form; the legacy 13-character IDs of the two communes are illustrative.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.app import ServiceRuntime
from svc_identity.accounts import passwords
from svc_identity.accounts import repository as accounts_repository
from svc_identity.accounts import service as accounts
from svc_identity.accounts.validation import TOTP_REQUIRED_ROLES
from svc_identity.agencies import repository as agencies
from svc_identity.models import Client
from svc_identity.oidc import repository as oidc_repository
from svc_identity.pki import service as pki
from svc_identity.secretbox import SecretBox
from svc_identity.settings import IdentitySettings

log = structlog.get_logger("svc_identity.demo")

TWO_TIER_START = date(2025, 7, 1)  # communes of the two-tier local government
# The demo leader's and administrator's authenticator secret (RFC 6238, base32), published in
# the README like the demo password; demo mode only.
DEMO_TOTP_SECRET = os.environ.get("EGOV_DEMO_TOTP_SECRET", "EGOVDEMOTOTPTHANHHOA234567ABCDEF")


def _agency(id: str, legacy_id: str, name: str, kind: str, parent_id: str | None = "H56",
            valid_from: date | None = None) -> dict[str, Any]:
    return {"id": id, "legacy_id": legacy_id, "name": name, "kind": kind,
            "parent_id": parent_id, "valid_from": valid_from, "valid_to": None}


# Parents first: rows are inserted in this order.
DEMO_AGENCIES = [
    _agency("H56", "000.00.00.H56", "UBND tỉnh Thanh Hóa", "province", parent_id=None),
    _agency("H56.01", "000.00.01.H56", "Văn phòng UBND tỉnh Thanh Hóa", "department"),
    _agency("H56.10", "000.00.10.H56", "Sở Kế hoạch và Đầu tư tỉnh Thanh Hóa", "department"),
    _agency("H56.11", "000.00.11.H56", "Sở Tài chính tỉnh Thanh Hóa", "department"),
    _agency("H56.14", "000.00.14.H56", "Sở Tư pháp tỉnh Thanh Hóa", "department"),
    # The unit that processes the department's dossiers (a hand-over goes below the agency).
    _agency("H56.14.01", "000.01.14.H56", "Phòng Hành chính tư pháp", "division",
            parent_id="H56.14"),
    _agency("H56.16", "000.00.16.H56", "Sở Xây dựng tỉnh Thanh Hóa", "department"),
    _agency("H56.20", "000.00.20.H56",
            "Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa", "service_centre"),
    _agency("H56.100", "000.00.60.H56", "UBND phường Hạc Thành", "commune",
            valid_from=TWO_TIER_START),
    _agency("H56.101", "000.00.61.H56", "UBND xã Quảng Phú", "commune",
            valid_from=TWO_TIER_START),
]

# username, full name, role, agency
DEMO_OFFICIALS = [
    ("admin", "Quản trị hệ thống", "admin", "H56"),
    ("motcua", "Nguyễn Thị Mai", "one_stop_officer", "H56.20"),
    # The department's own desk: receives the online dossiers filed with Sở Tư pháp.
    ("motcua.stp", "Hoàng Thị Lan", "one_stop_officer", "H56.14"),
    ("chuyenvien", "Trần Văn Bình", "processing_officer", "H56.14"),
    ("lanhdao", "Lê Văn Cường", "leader", "H56.14"),
    ("vanthu", "Phạm Thị Dung", "clerk", "H56.14"),
    ("baocao", "Hoàng Văn Em", "reporting_officer", "H56"),
]


DEMO_SEALS = ("H56.14", "H56.20")  # Sở Tư pháp; Trung tâm Phục vụ hành chính công


async def load_demo(runtime: ServiceRuntime, box: SecretBox) -> None:
    """Start-up hook: agencies, then the demo officials (their agencies must exist)."""
    settings = runtime.settings
    assert isinstance(settings, IdentitySettings)
    if not settings.demo:
        return
    async with runtime.sessionmaker() as session, session.begin():
        await agencies.insert_missing_agencies(session, DEMO_AGENCIES)
        created = 0
        for username, full_name, role, agency_id in DEMO_OFFICIALS:
            created += await accounts.ensure_official(
                session, username=username, full_name=full_name,
                password=settings.demo_password, role=role, agency_id=agency_id,
            )
            if role in TOTP_REQUIRED_ROLES:
                await accounts.ensure_demo_totp(session, username=username, box=box,
                                                secret=DEMO_TOTP_SECRET)
        certificates = await _demo_certificates(session, box, settings)
        await _demo_axis_client(session, settings)
        await _demo_events_client(session, settings)
        await _demo_national_portal_client(session, settings)
    log.info("demo_loaded", agencies=len(DEMO_AGENCIES), officials_created=created,
             certificates_issued=certificates)


# The SIMULATOR of the national document axis (svc-docflow) posts packages from organs outside
# the province to the inbound endpoint as a partner system: client_credentials, scope "axis",
# bound to no agency; its secret is the demo password. Demo mode only.
DEMO_AXIS_CLIENT = "truc-lien-thong-mo-phong"


async def _demo_axis_client(session: AsyncSession, settings: IdentitySettings) -> None:
    if await oidc_repository.get_client(session, DEMO_AXIS_CLIENT) is not None:
        return
    await oidc_repository.upsert_client(session, Client(
        client_id=DEMO_AXIS_CLIENT, name="Trục liên thông văn bản quốc gia (MÔ PHỎNG)",
        public=False, redirect_uris=[], created_at=datetime.now(UTC),
        auth_method="client_secret_basic",
        secret_hash=await passwords.hash_password(settings.demo_password),
        grant_types=["client_credentials"], scopes=["axis"], agency_id=None,
        post_logout_redirect_uris=[], active=True))


# A partner agency's system reading its events through the gateway (GET /api/v1/events):
# Sở Xây dựng's, client_credentials with the events scopes; its secret is the demo password.
DEMO_EVENTS_CLIENT = "he-thong-so-xay-dung"


async def _demo_events_client(session: AsyncSession, settings: IdentitySettings) -> None:
    if await oidc_repository.get_client(session, DEMO_EVENTS_CLIENT) is not None:
        return
    await oidc_repository.upsert_client(session, Client(
        client_id=DEMO_EVENTS_CLIENT, name="Hệ thống của Sở Xây dựng (đối tác, demo)",
        public=False, redirect_uris=[], created_at=datetime.now(UTC),
        auth_method="client_secret_basic",
        secret_hash=await passwords.hash_password(settings.demo_password),
        grant_types=["client_credentials"], scopes=["events:dossier", "events:docflow"],
        agency_id="H56.16", post_logout_redirect_uris=[], active=True))


# The SIMULATOR of the national public-service portal (svc-dossier) sends dossiers submitted
# there to the facade (/integration/dossiers): client_credentials, scope "national-portal",
# bound to no agency; its secret is the demo password. Demo mode only.
DEMO_NATIONAL_PORTAL_CLIENT = "cong-dvc-quoc-gia-mo-phong"


async def _demo_national_portal_client(session: AsyncSession,
                                       settings: IdentitySettings) -> None:
    if await oidc_repository.get_client(session, DEMO_NATIONAL_PORTAL_CLIENT) is not None:
        return
    await oidc_repository.upsert_client(session, Client(
        client_id=DEMO_NATIONAL_PORTAL_CLIENT, name="Cổng Dịch vụ công quốc gia (MÔ PHỎNG)",
        public=False, redirect_uris=[], created_at=datetime.now(UTC),
        auth_method="client_secret_basic",
        secret_hash=await passwords.hash_password(settings.demo_password),
        grant_types=["client_credentials"], scopes=["national-portal"], agency_id=None,
        post_logout_redirect_uris=[], active=True))


async def _demo_certificates(session: AsyncSession, box: SecretBox,
                             settings: IdentitySettings) -> int:
    """So that the demo can sign at once: the leader's personal certificate and the seals of
    Sở Tư pháp (documents) and the service centre (receipts), keys kept by svc-identity."""
    if not settings.demo_certificates:
        return 0
    leader = await accounts_repository.get_account_by_username(session, "lanhdao")
    issued = 0
    if leader is not None:
        issued += await pki.ensure_demo_certificate(session, box, settings, kind="personal",
                                                    account_id=leader.id)
    for agency_id in DEMO_SEALS:
        issued += await pki.ensure_demo_certificate(session, box, settings,
                                                    kind="organisational", agency_id=agency_id)
    return issued
