"""The HTML pages of the authorization endpoint: the login form and the error page.

Every value put into a page is escaped; the pages cannot be framed (click-jacking) and are
never cached (they carry the request's state).
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from fastapi.responses import HTMLResponse

from svc_identity.oidc.validation import AuthorizationRequest

PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "frame-ancestors 'none'; base-uri 'none'",
}

_STYLE = (
    "body{font-family:system-ui,sans-serif;background:#f4f6f8;margin:0}"
    "main{max-width:24rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;"
    "box-shadow:0 1px 4px #0002}h1{font-size:1.4rem;color:#b71c1c;margin-top:0}"
    "label{display:block;margin-top:1rem}input{width:100%;padding:.5rem;box-sizing:border-box}"
    "button{margin-top:1.5rem;width:100%;padding:.6rem;background:#b71c1c;color:#fff;"
    "border:0;border-radius:4px;font-size:1rem}.error{color:#b71c1c;font-weight:600}"
    ".national{margin-top:1.5rem;text-align:center}"
)


def _page(title: str, body: str, status: int) -> HTMLResponse:
    html = (
        f'<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def _hidden(fields: dict[str, str]) -> str:
    return "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in fields.items()
    )


NATIONAL_START = "/oauth2/national/start"


def national_link(request: AuthorizationRequest) -> str:
    """The other way in: the national identity (svc_identity.national_sso), same request."""
    href = f"{NATIONAL_START}?{urlencode(request.hidden_fields())}"
    return (f'<p class="national"><a id="national-login" href="{escape(href)}">Đăng nhập bằng '
            "tài khoản định danh điện tử / Cổng Dịch vụ công quốc gia</a></p>")


def login_page(request: AuthorizationRequest, *, client_name: str, username: str = "",
               error: str | None = None, national_login: bool = False) -> HTMLResponse:
    """The sign-in form; the request parameters travel in hidden fields to the POST."""
    national = national_link(request) if national_login else ""
    notice = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = (
        "<h1>Đăng nhập</h1>"
        f"<p>Ứng dụng <strong>{escape(client_name)}</strong> đề nghị xác thực tài khoản "
        "dịch vụ công của bạn.</p>"
        f"{notice}"
        '<form method="post">'
        '<label for="username">Tên đăng nhập (số định danh cá nhân)</label>'
        f'<input id="username" name="username" value="{escape(username)}" required '
        'autocomplete="username" maxlength="64">'
        '<label for="password">Mật khẩu</label>'
        '<input id="password" name="password" type="password" required '
        'autocomplete="current-password" maxlength="128">'
        f"{_hidden(request.hidden_fields())}"
        '<button type="submit">Đăng nhập</button>'
        "</form>"
        f"{national}"
    )
    return _page("Đăng nhập – Dịch vụ công trực tuyến", body, 200)


def _code_form(request: AuthorizationRequest, handle: str) -> str:
    fields = {**request.hidden_fields(), "login_challenge": handle}
    return (
        '<form method="post">'
        '<label for="otp">Mã xác thực (6 chữ số)</label>'
        '<input id="otp" name="otp" required inputmode="numeric" pattern="[0-9 ]{6,7}" '
        'autocomplete="one-time-code" maxlength="7" autofocus>'
        f"{_hidden(fields)}"
        '<button type="submit">Xác nhận</button>'
        "</form>"
    )


def otp_page(request: AuthorizationRequest, *, handle: str, error: str | None = None
             ) -> HTMLResponse:
    """Second step: the code of the person's authenticator app."""
    notice = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = ("<h1>Xác thực hai lớp</h1>"
            "<p>Nhập mã 6 chữ số đang hiển thị trong ứng dụng xác thực của bạn.</p>"
            f"{notice}{_code_form(request, handle)}")
    return _page("Xác thực hai lớp – Dịch vụ công trực tuyến", body, 200)


def enroll_page(request: AuthorizationRequest, *, handle: str, secret: str, uri: str,
                error: str | None = None) -> HTMLResponse:
    """First sign-in of an official whose role requires a second factor: set up the app."""
    notice = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    body = (
        "<h1>Thiết lập xác thực hai lớp</h1>"
        "<p>Vai trò của bạn bắt buộc xác thực hai lớp. Thêm khóa sau vào ứng dụng xác thực "
        "(Google Authenticator, Microsoft Authenticator, …), rồi nhập mã 6 chữ số.</p>"
        f'<p>Khóa bí mật: <code id="totp-secret">{escape(grouped)}</code></p>'
        f'<p><a href="{escape(uri)}">Mở bằng ứng dụng xác thực</a></p>'
        f"{notice}{_code_form(request, handle)}"
    )
    return _page("Thiết lập xác thực hai lớp – Dịch vụ công trực tuyến", body, 200)


def logged_out_page() -> HTMLResponse:
    body = ("<h1>Bạn đã đăng xuất</h1>"
            "<p>Phiên đăng nhập dịch vụ công của bạn đã kết thúc trên thiết bị này.</p>")
    return _page("Đăng xuất – Dịch vụ công trực tuyến", body, 200)


def error_page(message: str, *, status: int = 400) -> HTMLResponse:
    """Shown instead of redirecting when the redirect URI cannot be trusted."""
    body = (
        "<h1>Không thể đăng nhập</h1>"
        f'<p class="error" role="alert">{escape(message)}</p>'
        "<p>Vui lòng quay lại ứng dụng và thử lại. Nếu lỗi vẫn xảy ra, hãy liên hệ "
        "bộ phận hỗ trợ.</p>"
    )
    return _page("Lỗi đăng nhập – Dịch vụ công trực tuyến", body, status)


_HTML: dict[str, Any] = {"text/html": {"schema": {"type": "string"}}}
# The OpenAPI ``responses`` of the browser-facing pages besides their 200 page.
PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    302: {"description": "Back to the application (``redirect_uri``) or on to the provider"},
    400: {"description": "A Vietnamese error page: the request is not valid", "content": _HTML},
    503: {"description": "A Vietnamese error page: the national provider is unreachable",
          "content": _HTML},
}
