"""Response bodies of the OIDC endpoints."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class TokenResponse(BaseModel):
    """RFC 6749 §5.1 plus the OIDC ``id_token``."""

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a token type, not a secret
    expires_in: int
    id_token: str | None = None
    refresh_token: str | None = None
    scope: str


class OAuthErrorBody(BaseModel):
    """RFC 6749 §5.2."""

    error: str
    error_description: str


class UserInfo(BaseModel):
    """OIDC UserInfo with the platform's claims; email and phone only with their scopes."""

    sub: str
    name: str
    preferred_username: str
    kind: str
    id_number: str | None
    agency_id: str | None
    roles: list[str]
    acr: str = Field(description="Level of assurance: 1 self-registered, 2 verified.")
    birthdate: str | None = Field(default=None, description="YYYY-MM-DD (citizens)")
    gender: str | None = Field(default=None, description="male or female (citizens)")
    email: str | None = None
    phone_number: str | None = None


class Discovery(BaseModel):
    """OpenID Provider Metadata (OIDC Discovery 1.0 §3)."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    revocation_endpoint: str
    introspection_endpoint: str
    end_session_endpoint: str
    response_types_supported: list[str]
    grant_types_supported: list[str]
    subject_types_supported: list[str]
    id_token_signing_alg_values_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    token_endpoint_auth_signing_alg_values_supported: list[str]
    revocation_endpoint_auth_methods_supported: list[str]
    introspection_endpoint_auth_methods_supported: list[str]
    acr_values_supported: list[str]
    prompt_values_supported: list[str]
    code_challenge_methods_supported: list[str]
    scopes_supported: list[str]
    claims_supported: list[str]
    authorization_response_iss_parameter_supported: bool
