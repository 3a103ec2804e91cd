"""SIMULATOR of the national identity provider (tài khoản định danh điện tử VNeID, through the
Cổng Dịch vụ công quốc gia's single sign-on). It is NOT the national system and signs in no
real person: whoever uses it picks one of the made-up residents of the population-database
simulator, or types an ID number, a name and a birth date.

svc-identity mounts it at ``/simulators/national-id`` in demo mode, so that "Đăng nhập bằng tài
khoản định danh điện tử" works out of the box; in production ``IDENTITY_NATIONAL_ISSUER`` points
at the real provider. Without demo mode every call gets 503. It speaks plain OIDC: discovery,
JWKS (a key of its own, made at start), an authorization endpoint (an HTML page), and a token
endpoint (authorization code with PKCE S256, the client authenticated by ``client_secret_basic``
or ``client_secret_post``) that issues an ID token with the national claims ``SoDinhDanh``,
``HoVaTen``, ``NgaySinh``, ``GioiTinh`` and the level of assurance ``loAs``. Codes live in
memory for a minute.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any
from urllib.parse import quote, unquote_plus

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.middleware.base import RequestResponseEndpoint

from egov_shared.errors import ValidationFailed
from svc_identity.accounts import validation
from svc_identity.oidc.validation import s256
from svc_identity.population.schemas import SEX_CODES, parse_birth_date
from svc_identity.population.simulator import seed_residents

SIMULATOR_HEADER = {"X-Simulator": "dinh-danh-quoc-gia"}
CODE_TTL_SECONDS = 60
ID_TOKEN_TTL_SECONDS = 300
DEMO_PEOPLE = 4  # residents offered on the page
REQUEST_FIELDS = ("client_id", "redirect_uri", "state", "nonce", "code_challenge")


@dataclass(frozen=True)
class Person:
    id_number: str
    full_name: str
    date_of_birth: date

    @property
    def sex_code(self) -> str:
        return "1" if int(self.id_number[3]) % 2 == 0 else "2"  # even century digit: male


@dataclass(frozen=True)
class PendingCode:
    person: Person
    client_id: str
    redirect_uri: str
    nonce: str
    code_challenge: str
    expires_at: float


def demo_people() -> list[Person]:
    people = []
    for resident in list(seed_residents().values())[:DEMO_PEOPLE]:
        born = parse_birth_date(resident.birth_date)
        if born is not None:
            people.append(Person(resident.id_number, resident.full_name, born))
    return people


def typed_person(id_number: str, full_name: str, born: str) -> Person | None:
    """A person typed on the page, if the ID number is consistent with the birth date."""
    try:
        birth = date.fromisoformat(born)
        validation.check_id_number(id_number)
        sex = SEX_CODES["1" if int(id_number[3]) % 2 == 0 else "2"]
        validation.check_id_number_matches(id_number, date_of_birth=birth, sex=sex)
        name = validation.normalize_full_name(full_name)
    except (ValueError, ValidationFailed):
        return None
    return Person(id_number, name, birth)


class NationalIdSimulator:
    """The provider's state: its key, the one relying party it knows, the pending codes."""

    def __init__(self, *, issuer: str, client_id: str, client_secret: str,
                 redirect_uris: list[str]) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id, self.client_secret = client_id, client_secret
        self.redirect_uris = redirect_uris
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.kid = "vneid-sim-" + uuid.uuid4().hex[:8]
        self.codes: dict[str, PendingCode] = {}
        self.people = demo_people()

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/.well-known/jwks.json",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                      "client_secret_post"],
            "claims_supported": ["sub", "SoDinhDanh", "HoVaTen", "NgaySinh", "GioiTinh",
                                 "TechID", "loAs", "nonce"],
        }

    def jwks(self) -> dict[str, Any]:
        jwk = jwt.algorithms.ECAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "ES256"}]}

    def request_error(self, params: dict[str, str]) -> str | None:
        if params.get("client_id") != self.client_id:
            return "Ứng dụng không được đăng ký với hệ thống định danh."
        if params.get("redirect_uri") not in self.redirect_uris:
            return "Địa chỉ chuyển hướng không được đăng ký."
        if params.get("response_type", "code") != "code" or not params.get("nonce"):
            return "Yêu cầu phải có response_type=code và nonce."
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return "Yêu cầu phải dùng PKCE S256."
        return None

    def issue_code(self, person: Person, params: dict[str, str]) -> str:
        code = secrets.token_urlsafe(32)
        self.codes[code] = PendingCode(person, params["client_id"], params["redirect_uri"],
                                       params["nonce"], params["code_challenge"],
                                       time.time() + CODE_TTL_SECONDS)
        return code

    def id_token(self, pending: PendingCode, *, ttl: int = ID_TOKEN_TTL_SECONDS,
                 now: float | None = None) -> str:
        now = time.time() if now is None else now
        person = pending.person
        tech_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.issuer}/{person.id_number}"))
        claims = {
            "iss": self.issuer, "aud": pending.client_id, "sub": tech_id, "TechID": tech_id,
            "iat": int(now), "auth_time": int(now), "exp": int(now) + ttl,
            "nonce": pending.nonce, "SoDinhDanh": person.id_number, "HoVaTen": person.full_name,
            "NgaySinh": person.date_of_birth.isoformat(), "GioiTinh": person.sex_code,
            "loAs": 2, "acr": "2",
        }
        return jwt.encode(claims, self.key, algorithm="ES256", headers={"kid": self.kid})

    def redeem(self, form: dict[str, str], client_id: str | None,
               client_secret: str | None) -> dict[str, Any] | tuple[int, str]:
        """The token endpoint's answer, or (status, OAuth error)."""
        if client_id != self.client_id or not hmac.compare_digest(
                (client_secret or "").encode(), self.client_secret.encode()):
            return 401, "invalid_client"
        if form.get("grant_type") != "authorization_code":
            return 400, "unsupported_grant_type"
        pending = self.codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        if (pending is None or pending.expires_at < time.time()
                or pending.client_id != client_id
                or pending.redirect_uri != form.get("redirect_uri")
                or not verifier or not hmac.compare_digest(s256(verifier),
                                                           pending.code_challenge)):
            return 400, "invalid_grant"
        return {"access_token": secrets.token_urlsafe(32), "token_type": "Bearer",
                "expires_in": ID_TOKEN_TTL_SECONDS, "id_token": self.id_token(pending)}


def _page(body: str, status: int = 200) -> HTMLResponse:
    html = ('<!doctype html><html lang="vi"><head><meta charset="utf-8">'
            "<title>MÔ PHỎNG – Định danh điện tử quốc gia</title></head><body>"
            '<p role="note"><strong>BỘ MÔ PHỎNG</strong> hệ thống định danh điện tử quốc gia, '
            "chỉ dùng cho chế độ demo; không phải hệ thống thật.</p>"
            f"{body}</body></html>")
    return HTMLResponse(html, status_code=status, headers={
        **SIMULATOR_HEADER, "Cache-Control": "no-store", "X-Frame-Options": "DENY"})


def _hidden(params: dict[str, str]) -> str:
    return "".join(f'<input type="hidden" name="{name}" value="{escape(params[name])}">'
                   for name in REQUEST_FIELDS if name in params)


def authorize_page(sim: NationalIdSimulator, params: dict[str, str],
                   error: str | None = None) -> HTMLResponse:
    people = "".join(
        f'<button type="submit" name="pick" value="{escape(p.id_number)}">'
        f"{escape(p.full_name)} – {escape(p.id_number)}</button><br>" for p in sim.people)
    notice = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = (
        "<h1>Đăng nhập bằng tài khoản định danh điện tử (MÔ PHỎNG)</h1>" + notice
        + f'<form method="post"><p>Chọn một công dân mẫu:</p>{people}{_hidden(params)}</form>'
        '<form method="post"><p>Hoặc nhập thông tin:</p>'
        '<label>Số định danh cá nhân <input name="so_dinh_danh" maxlength="12"></label>'
        '<label>Họ và tên <input name="ho_va_ten" maxlength="200"></label>'
        '<label>Ngày sinh <input name="ngay_sinh" type="date"></label>'
        f'{_hidden(params)}<button type="submit">Đăng nhập</button></form>'
    )
    return _page(body)


def create_national_id_simulator(*, issuer: str, client_id: str, client_secret: str,
                                 redirect_uris: list[str], enabled: bool) -> FastAPI:
    app = FastAPI(title="SIMULATOR - định danh điện tử quốc gia (mô phỏng)", openapi_url=None)
    sim = NationalIdSimulator(issuer=issuer, client_id=client_id, client_secret=client_secret,
                              redirect_uris=redirect_uris)
    app.state.simulator = sim

    @app.middleware("http")
    async def only_in_demo(request: Request, call_next: RequestResponseEndpoint) -> Response:
        if not enabled:
            return JSONResponse({"error": "temporarily_unavailable"}, status_code=503,
                                headers=SIMULATOR_HEADER)
        return await call_next(request)

    @app.get("/.well-known/openid-configuration")
    async def discovery() -> JSONResponse:
        return JSONResponse(sim.discovery(), headers=SIMULATOR_HEADER)

    @app.get("/.well-known/jwks.json")
    async def jwks() -> JSONResponse:
        return JSONResponse(sim.jwks(), headers=SIMULATOR_HEADER)

    @app.get("/authorize")
    async def authorize(request: Request) -> Response:
        params = dict(request.query_params)
        error = sim.request_error(params)
        return _page(f"<p>{escape(error)}</p>", 400) if error else authorize_page(sim, params)

    @app.post("/authorize")
    async def sign_in(request: Request) -> Response:
        async with request.form() as form:
            params = {k: v for k, v in form.items() if isinstance(v, str)}
        error = sim.request_error({**params, "response_type": "code",
                                   "code_challenge_method": "S256"})
        if error:
            return _page(f"<p>{escape(error)}</p>", 400)
        person = _chosen(sim, params)
        if person is None:
            return authorize_page(sim, params, "Số định danh, họ tên hoặc ngày sinh không hợp lệ.")
        code = sim.issue_code(person, params)
        query = {"code": code, "state": params.get("state"), "iss": sim.issuer}
        target = params["redirect_uri"] + "?" + "&".join(
            f"{k}={quote(v, safe='')}" for k, v in query.items() if v is not None)
        return RedirectResponse(target, status_code=302, headers=SIMULATOR_HEADER)

    @app.post("/token")
    async def token(request: Request) -> JSONResponse:
        async with request.form() as form:
            fields = {k: v for k, v in form.items() if isinstance(v, str)}
        client_id, secret = _client_auth(request, fields)
        answer = sim.redeem(fields, client_id, secret)
        if isinstance(answer, tuple):
            return JSONResponse({"error": answer[1]}, status_code=answer[0],
                                headers=SIMULATOR_HEADER)
        return JSONResponse(answer, headers={**SIMULATOR_HEADER, "Cache-Control": "no-store"})

    return app


def _chosen(sim: NationalIdSimulator, params: dict[str, str]) -> Person | None:
    if params.get("pick"):
        return next((p for p in sim.people if p.id_number == params["pick"]), None)
    return typed_person(params.get("so_dinh_danh", "").strip(),
                        params.get("ho_va_ten", ""), params.get("ngay_sinh", ""))


def _client_auth(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    """client_secret_basic (RFC 6749 §2.3.1: form-encoded, then Base64) or client_secret_post."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            user, _, password = base64.b64decode(value).decode().partition(":")
        except ValueError:
            return None, None
        return unquote_plus(user), unquote_plus(password)
    return form.get("client_id"), form.get("client_secret")
