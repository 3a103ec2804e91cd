"""Pure checks of OAuth 2.0 / OIDC requests: parameters, redirect URIs, scopes and PKCE.

No I/O here, so that every rule can be unit-tested on its own. The order of the checks matters:
until the client and its redirect URI are trusted, errors are shown on our own page and never
sent to the redirect URI (RFC 6749 §4.1.2.1).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from svc_identity.oidc.errors import AuthorizeRedirectError, InvalidAuthorizeRequest

MAX_PARAM_LENGTH = 2048
MAX_NONCE_LENGTH = 512
SUPPORTED_SCOPES = ("openid", "profile", "email", "phone")
DEFAULT_SCOPE = "openid"
AUTHORIZE_PARAMS = (
    "response_type", "client_id", "redirect_uri", "scope", "state",
    "code_challenge", "code_challenge_method", "nonce", "prompt",
)
PROMPTS = ("none", "login")

_CODE_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # base64url of a SHA-256, no padding
_CODE_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")  # RFC 7636 §4.1
_UNSAFE_URI_CHARS = re.compile(r"[\x00-\x20\x7f\\]")


class MalformedParams(Exception):
    """A parameter was repeated, too long or not text: nothing in the request can be trusted."""


def single_params(items: Iterable[tuple[str, object]]) -> dict[str, str]:
    """Request parameters as text, each at most once (RFC 6749 §3.1), of sane length and
    without NUL (which PostgreSQL text cannot hold)."""
    params: dict[str, str] = {}
    for name, value in items:
        if (name in params or not isinstance(value, str) or len(value) > MAX_PARAM_LENGTH
                or "\x00" in value):
            raise MalformedParams(name)
        params[name] = value
    return params


@dataclass(frozen=True)
class AuthorizationRequest:
    """An authorization request whose client and redirect URI have been checked."""

    client_id: str
    redirect_uri: str
    response_type: str
    scope: str
    state: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    nonce: str | None
    prompt: str | None = None

    def hidden_fields(self) -> dict[str, str]:
        """What the login form carries to its POST, where it is checked again."""
        return {name: value for name in AUTHORIZE_PARAMS
                if (value := getattr(self, name)) is not None}


def redirect_uri_allowed(uri: str, registered: Iterable[str]) -> bool:
    """Exact match, or any path under a registered URI that ends in ``/``."""
    if _UNSAFE_URI_CHARS.search(uri):
        return False
    try:
        target = urlsplit(uri)
        target_port = target.port
    except ValueError:
        return False
    if target.scheme not in {"http", "https"} or target.fragment or "@" in target.netloc:
        return False
    for allowed in registered:
        if uri == allowed:
            return True
        base = urlsplit(allowed)
        if (allowed.endswith("/") and target.scheme == base.scheme
                and target.hostname == base.hostname and target_port == base.port
                and target.path.startswith(base.path)):
            return True
    return False


def require_client_params(params: dict[str, str]) -> tuple[str, str]:
    client_id, redirect_uri = params.get("client_id"), params.get("redirect_uri")
    if not client_id or not redirect_uri:
        raise InvalidAuthorizeRequest("Thiếu mã ứng dụng (client_id) hoặc địa chỉ chuyển hướng.")
    return client_id, redirect_uri


def normalize_scope(scope: str | None) -> str:
    """Known scopes only, each once, in the order asked; ``openid`` when none is asked."""
    names = (scope or DEFAULT_SCOPE).split()
    if not names or any(name not in SUPPORTED_SCOPES for name in names):
        raise ValueError("unsupported scope")
    return " ".join(dict.fromkeys(names))


def authorization_request(
    params: dict[str, str], *, redirect_uri: str, public_client: bool
) -> AuthorizationRequest:
    """Checks what is left once the client is trusted; failures go back to the client."""
    state = params.get("state")

    def refuse(error: str, description: str) -> AuthorizeRedirectError:
        return AuthorizeRedirectError(error, description, redirect_uri=redirect_uri, state=state)

    if params.get("response_type") != "code":
        raise refuse("unsupported_response_type", "Only response_type=code is supported.")
    try:
        scope = normalize_scope(params.get("scope"))
    except ValueError as exc:
        raise refuse("invalid_scope", f"Supported scopes: {' '.join(SUPPORTED_SCOPES)}.") from exc
    challenge, method = params.get("code_challenge"), params.get("code_challenge_method")
    if (public_client or challenge) and (method != "S256" or not challenge
                                         or not _CODE_CHALLENGE.match(challenge)):
        raise refuse("invalid_request", "PKCE is required: code_challenge with method S256.")
    nonce = params.get("nonce")
    if nonce is not None and len(nonce) > MAX_NONCE_LENGTH:
        raise refuse("invalid_request", "The nonce is too long.")
    # Other prompt values (consent, select_account) have no meaning here: ignored, as OIDC
    # Core §3.1.2.1 allows for values a provider does not support.
    prompts = [p for p in (params.get("prompt") or "").split() if p in PROMPTS]
    if "none" in prompts and len(prompts) > 1:
        raise refuse("invalid_request", "prompt=none cannot be combined with another value.")
    return AuthorizationRequest(
        client_id=params["client_id"], redirect_uri=redirect_uri, response_type="code",
        scope=scope, state=state, code_challenge=challenge, code_challenge_method=method,
        nonce=nonce, prompt=prompts[0] if prompts else None,
    )


def s256(code_verifier: str) -> str:
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def pkce_matches(code_verifier: str | None, *, code_challenge: str) -> bool:
    """RFC 7636 S256, compared in constant time."""
    if code_verifier is None or not _CODE_VERIFIER.match(code_verifier):
        return False
    return hmac.compare_digest(s256(code_verifier), code_challenge)
