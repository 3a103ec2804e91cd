"""Client registry and key rotation. Partner agencies' clients are managed by the
administrators of that agency's subtree; clients of no agency (the provincial apps) by the
platform administrators (administrators of a level-1 agency, the top of the tree)."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import jwt
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.auth import Principal
from egov_shared.errors import Conflict, NotFound, ValidationFailed
from svc_identity.accounts import passwords
from svc_identity.admin import repository
from svc_identity.admin.schemas import ClientIn, ClientPatch
from svc_identity.agencies import repository as agencies
from svc_identity.models import Client
from svc_identity.oidc.validation import redirect_uri_allowed

SCOPE_PATTERN = r"^[a-z][a-z0-9:._-]{1,63}$"


def is_platform_admin(principal: Principal) -> bool:
    return principal.has_role("admin") and principal.agency_id is not None and (
        "." not in principal.agency_id)


def may_manage(principal: Principal, client: Client) -> bool:
    if is_platform_admin(principal):
        return True
    return client.agency_id is not None and principal.covers_agency(client.agency_id)


async def list_clients(session: AsyncSession, principal: Principal) -> Sequence[Client]:
    scope = None if is_platform_admin(principal) else principal.agency_id
    return await repository.list_clients(session, agency_id=scope)


async def get_client(session: AsyncSession, principal: Principal, client_id: str) -> Client:
    client = await repository.get_client(session, client_id) if len(client_id) <= 64 else None
    if client is None or not may_manage(principal, client):
        raise NotFound("Không tìm thấy ứng dụng.", code="client_not_found")
    return client


def _check_uris(uris: list[str], field: str) -> None:
    for uri in uris:
        # A registered URI must itself pass the check every redirect goes through.
        if len(uri) > 2000 or not redirect_uri_allowed(uri, [uri]):
            raise ValidationFailed(f"Địa chỉ không hợp lệ: {uri[:100]}", code="invalid_uri",
                                   extra={"field": field})


def _check_shape(data: ClientIn) -> None:
    public = data.auth_method == "none"
    if public and "client_credentials" in data.grant_types:
        raise ValidationFailed("Ứng dụng công khai không dùng được client_credentials.",
                               code="invalid_client_metadata")
    if "authorization_code" in data.grant_types and not data.redirect_uris:
        raise ValidationFailed("Cần ít nhất một địa chỉ chuyển hướng.",
                               code="invalid_client_metadata", extra={"field": "redirect_uris"})
    if data.auth_method == "private_key_jwt" and not _valid_jwks(data.jwks):
        raise ValidationFailed("private_key_jwt cần bộ khóa công khai (JWKS) hợp lệ.",
                               code="invalid_jwks", extra={"field": "jwks"})
    _check_uris(data.redirect_uris, "redirect_uris")
    _check_uris(data.post_logout_redirect_uris, "post_logout_redirect_uris")
    _check_scopes(data.scopes)


def _check_scopes(scopes: list[str]) -> None:
    if any(not re.match(SCOPE_PATTERN, scope) for scope in scopes):
        raise ValidationFailed("Phạm vi (scope) không hợp lệ.", code="invalid_scope",
                               extra={"field": "scopes"})


def _valid_jwks(jwks: dict[str, object] | None) -> bool:
    keys = (jwks or {}).get("keys")
    if not isinstance(keys, list) or not keys or len(keys) > 10:
        return False
    try:
        for jwk in keys:
            if not isinstance(jwk, dict) or "d" in jwk:  # public keys only
                return False
            jwt.PyJWK(jwk)
    except (jwt.PyJWTError, KeyError, TypeError, ValueError):
        return False
    return True


async def create_client(session: AsyncSession, principal: Principal,
                        data: ClientIn) -> tuple[Client, str | None]:
    _check_shape(data)
    if data.agency_id is not None and (
            not principal.covers_agency(data.agency_id)
            or await agencies.get_agency(session, data.agency_id) is None):
        raise NotFound("Không tìm thấy cơ quan.", code="agency_not_found")
    if data.agency_id is None and not is_platform_admin(principal):
        raise NotFound("Không tìm thấy cơ quan.", code="agency_not_found")
    secret = secrets.token_urlsafe(32) if data.auth_method.startswith("client_secret") else None
    client = Client(
        client_id=data.client_id or f"app-{uuid.uuid4().hex[:12]}", name=data.name,
        public=data.auth_method == "none", redirect_uris=data.redirect_uris,
        created_at=datetime.now(UTC), auth_method=data.auth_method,
        secret_hash=await passwords.hash_password(secret) if secret else None,
        jwks=data.jwks if data.auth_method == "private_key_jwt" else None,
        grant_types=list(dict.fromkeys(data.grant_types)), scopes=data.scopes,
        agency_id=data.agency_id, post_logout_redirect_uris=data.post_logout_redirect_uris,
        active=True)
    try:
        await repository.add_client(session, client)
    except IntegrityError as exc:
        raise Conflict("Mã ứng dụng đã tồn tại.", code="client_exists") from exc
    return client, secret


async def update_client(session: AsyncSession, principal: Principal, client_id: str,
                        data: ClientPatch) -> Client:
    client = await get_client(session, principal, client_id)
    values = data.model_dump(exclude_unset=True)
    _check_uris(values.get("redirect_uris") or [], "redirect_uris")
    _check_uris(values.get("post_logout_redirect_uris") or [], "post_logout_redirect_uris")
    _check_scopes(values.get("scopes") or [])
    if "jwks" in values and client.auth_method == "private_key_jwt" and not _valid_jwks(
            values["jwks"]):
        raise ValidationFailed("Bộ khóa công khai (JWKS) không hợp lệ.", code="invalid_jwks")
    if values:
        await repository.update_client(session, client.client_id, values)
    return await get_client(session, principal, client_id)


async def rotate_secret(session: AsyncSession, principal: Principal,
                        client_id: str) -> tuple[Client, str]:
    client = await get_client(session, principal, client_id)
    if not client.auth_method.startswith("client_secret"):
        raise Conflict("Ứng dụng này không dùng khóa bí mật.", code="no_client_secret")
    secret = secrets.token_urlsafe(32)
    await repository.update_client(session, client.client_id,
                                   {"secret_hash": await passwords.hash_password(secret)})
    return client, secret
