"""HTTP routes of platform administration: the OIDC client registry and signing keys."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from egov_shared.app import SessionDep
from egov_shared.auth import Principal, require_roles
from egov_shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
    problem_responses,
)
from svc_identity.access import access
from svc_identity.admin import service
from svc_identity.admin.schemas import ClientIn, ClientOut, ClientPatch, SigningKeyOut
from svc_identity.audit import service as audit
from svc_identity.audit.service import Actor, Origin
from svc_identity.deps import KeyRingDep
from svc_identity.oidc.service import utc_now

router = APIRouter(prefix="/api/v1/admin", tags=["administration"])
ADMIN = access("admin")
_ERRORS = problem_responses(Unauthorized, Forbidden, NotFound, Conflict, ValidationFailed)


async def _admin(principal: Principal = Depends(require_roles("admin"))) -> Principal:
    return principal


async def _platform_admin(principal: Principal = Depends(_admin)) -> Principal:
    if not service.is_platform_admin(principal):
        raise Forbidden("Chỉ quản trị hệ thống cấp tỉnh được làm việc này.",
                        code="platform_admin_required")
    return principal


@router.get("/clients", response_model=list[ClientOut], openapi_extra=ADMIN, responses=_ERRORS)
async def list_clients(session: SessionDep,
                       principal: Principal = Depends(_admin)) -> list[ClientOut]:
    """Access: administrators; those of an agency see its subtree's partner clients."""
    return [ClientOut.of(c) for c in await service.list_clients(session, principal)]


@router.post("/clients", status_code=201, response_model=ClientOut, openapi_extra=ADMIN,
             responses=_ERRORS)
async def create_client(body: ClientIn, request: Request, session: SessionDep,
                        principal: Principal = Depends(_admin)) -> ClientOut:
    """Access: administrators covering the client's agency (platform administrators for
    clients of no agency). The secret, if any, is in this answer and never again."""
    client, secret = await service.create_client(session, principal, body)
    await audit.record(session, action="client.created", origin=Origin.of(request),
                       actor=Actor.of(principal), target_type="client",
                       target_id=client.client_id, agency_id=client.agency_id,
                       details={"auth_method": client.auth_method,
                                "grant_types": client.grant_types, "scopes": client.scopes})
    return ClientOut.of(client, secret)


@router.get("/clients/{client_id}", response_model=ClientOut, openapi_extra=ADMIN,
            responses=_ERRORS)
async def get_client(client_id: str, session: SessionDep,
                     principal: Principal = Depends(_admin)) -> ClientOut:
    """Access: administrators covering the client's agency; others get 404."""
    return ClientOut.of(await service.get_client(session, principal, client_id))


@router.patch("/clients/{client_id}", response_model=ClientOut, openapi_extra=ADMIN,
              responses=_ERRORS)
async def update_client(client_id: str, body: ClientPatch, request: Request,
                        session: SessionDep,
                        principal: Principal = Depends(_admin)) -> ClientOut:
    """Access: administrators covering the client's agency. ``active: false`` disables it."""
    client = await service.update_client(session, principal, client_id, body)
    await audit.record(session, action="client.updated", origin=Origin.of(request),
                       actor=Actor.of(principal), target_type="client",
                       target_id=client.client_id, agency_id=client.agency_id,
                       details={"fields": sorted(body.model_dump(exclude_unset=True))})
    return ClientOut.of(client)


@router.post("/clients/{client_id}/secret", response_model=ClientOut, openapi_extra=ADMIN,
             responses=_ERRORS)
async def rotate_client_secret(client_id: str, request: Request, session: SessionDep,
                               principal: Principal = Depends(_admin)) -> ClientOut:
    """Access: administrators covering the client's agency. A new secret; the old one stops
    working at once."""
    client, secret = await service.rotate_secret(session, principal, client_id)
    await audit.record(session, action="client.secret_rotated", origin=Origin.of(request),
                       actor=Actor.of(principal), target_type="client",
                       target_id=client.client_id, agency_id=client.agency_id)
    return ClientOut.of(client, secret)


@router.get("/signing-keys", response_model=list[SigningKeyOut], openapi_extra=ADMIN,
            responses=_ERRORS)
async def signing_keys(keyring: KeyRingDep,
                       principal: Principal = Depends(_platform_admin)) -> list[SigningKeyOut]:
    """Access: platform administrators. Token-signing keys and their state (no key material)."""
    return [SigningKeyOut.model_validate(k) for k in await keyring.describe()]


@router.post("/signing-keys/rotate", status_code=201, response_model=SigningKeyOut,
             openapi_extra=ADMIN, responses=_ERRORS)
async def rotate_signing_key(request: Request, session: SessionDep, keyring: KeyRingDep,
                             principal: Principal = Depends(_platform_admin)) -> SigningKeyOut:
    """Access: platform administrators. New tokens are signed with a new key at once; the
    old key stays published until the last token it signed has expired."""
    key = await keyring.rotate(session, utc_now())
    await audit.record(session, action="signing_key.rotated", origin=Origin.of(request),
                       actor=Actor.of(principal), target_type="signing_key", target_id=key.kid)
    return SigningKeyOut(kid=key.kid, algorithm=key.algorithm, state="active",
                         created_at=key.created_at, retired_at=None, published_until=None)
