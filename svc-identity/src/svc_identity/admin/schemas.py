"""Request and response bodies of platform administration."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from egov_shared.agency import AGENCY_ID_MAX_LENGTH, AGENCY_ID_PATTERN
from svc_identity.models import Client

AuthMethod = Literal["none", "client_secret_basic", "client_secret_post", "private_key_jwt"]
GrantType = Literal["authorization_code", "refresh_token", "client_credentials"]
Uri = str
ScopeName = str


class ClientIn(BaseModel):
    """A relying party (an app signing people in) or a partner system (client_credentials)."""

    client_id: str | None = Field(default=None, min_length=3, max_length=64,
                                  pattern=r"^[a-z0-9][a-z0-9._-]*$")
    name: str = Field(min_length=2, max_length=255)
    auth_method: AuthMethod
    grant_types: list[GrantType] = Field(min_length=1, max_length=3)
    redirect_uris: list[Uri] = Field(default_factory=list, max_length=20)
    post_logout_redirect_uris: list[Uri] = Field(default_factory=list, max_length=20)
    scopes: list[ScopeName] = Field(default_factory=list, max_length=50)
    agency_id: str | None = Field(default=None, max_length=AGENCY_ID_MAX_LENGTH,
                                  pattern=AGENCY_ID_PATTERN)
    jwks: dict[str, Any] | None = Field(
        default=None, description="Public keys for private_key_jwt, as a JWK Set.")


class ClientPatch(BaseModel):
    name: str | None = Field(default=None, min_length=2, max_length=255)
    redirect_uris: list[Uri] | None = Field(default=None, max_length=20)
    post_logout_redirect_uris: list[Uri] | None = Field(default=None, max_length=20)
    scopes: list[ScopeName] | None = Field(default=None, max_length=50)
    jwks: dict[str, Any] | None = None
    active: bool | None = None


class ClientOut(BaseModel):
    client_id: str
    name: str
    public: bool
    auth_method: str
    grant_types: list[str]
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]
    scopes: list[str]
    agency_id: str | None
    active: bool
    created_at: datetime
    client_secret: str | None = Field(
        default=None, description="Shown once, when made or rotated; only its hash is kept.")

    @classmethod
    def of(cls, client: Client, secret: str | None = None) -> ClientOut:
        return cls(
            client_id=client.client_id, name=client.name, public=client.public,
            auth_method=client.auth_method, grant_types=list(client.grant_types or []),
            redirect_uris=list(client.redirect_uris or []),
            post_logout_redirect_uris=list(client.post_logout_redirect_uris or []),
            scopes=list(client.scopes or []), agency_id=client.agency_id,
            active=client.active, created_at=client.created_at, client_secret=secret)


class SigningKeyOut(BaseModel):
    kid: str
    algorithm: str
    state: Literal["active", "published", "expired"]
    created_at: datetime
    retired_at: datetime | None
    published_until: datetime | None
