"""Password reset and change. A reset request answers the same whether or not the account
exists (nothing to learn by probing); the link carries a random token whose hash alone is
stored, works once, expires, and only the newest one works. A new password clears the lockout
and ends every session and refresh token of the account: whoever held the old password is out.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.errors import ValidationFailed
from svc_identity.accounts import passwords, validation
from svc_identity.accounts import repository as accounts
from svc_identity.audit import service as audit
from svc_identity.audit.service import Actor, Origin
from svc_identity.mail import Mailer
from svc_identity.models import Account, PasswordReset
from svc_identity.oidc import repository as oidc
from svc_identity.password_resets import repository
from svc_identity.settings import IdentitySettings


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def request_reset(session: AsyncSession, *, username: str, mailer: Mailer,
                        settings: IdentitySettings, origin: Origin, now: datetime) -> None:
    account = await accounts.get_account_by_username(session, username.strip())
    if account is None or not account.active or not account.email:
        return
    await repository.cancel_open_resets(session, account.id, now=now)
    token = secrets.token_urlsafe(32)
    await repository.add_reset(session, PasswordReset(
        token_hash=_hash(token), account_id=account.id, created_at=now,
        expires_at=now + timedelta(seconds=settings.password_reset_ttl_seconds)))
    await audit.record(session, action="password.reset_requested", origin=origin,
                       target_type="account", target_id=account.id, agency_id=account.agency_id)
    await mailer.send(_reset_mail(mailer, account, token, settings))


def _reset_mail(mailer: Mailer, account: Account, token: str,
                settings: IdentitySettings) -> EmailMessage:
    minutes = settings.password_reset_ttl_seconds // 60
    link = f"{settings.token_issuer.rstrip('/')}/dat-lai-mat-khau?token={token}"
    body = (f"Kính gửi {account.full_name},\n\n"
            "Có yêu cầu đặt lại mật khẩu tài khoản dịch vụ công của bạn. Mở liên kết sau "
            f"trong {minutes} phút để đặt mật khẩu mới (chỉ dùng được một lần):\n\n{link}\n\n"
            f"Mã đặt lại: {token}\n\n"
            "Nếu bạn không yêu cầu, hãy bỏ qua thư này; mật khẩu hiện tại vẫn giữ nguyên.\n")
    return mailer.message(to=account.email or "", subject="Đặt lại mật khẩu dịch vụ công",
                          body=body)


async def confirm_reset(session: AsyncSession, *, token: str, new_password: str,
                        origin: Origin, now: datetime) -> None:
    account_id = await repository.claim_reset(session, _hash(token), now=now)
    account = await accounts.get_account(session, account_id) if account_id else None
    if account is None or not account.active:
        raise ValidationFailed("Liên kết đặt lại mật khẩu không hợp lệ, đã dùng hoặc đã hết hạn.",
                               code="invalid_reset_token", extra={"field": "token"})
    await _set_password(session, account, new_password, now=now)
    await audit.record(session, action="password.reset", origin=origin, target_type="account",
                       target_id=account.id, agency_id=account.agency_id)


async def change_password(session: AsyncSession, *, account_id: str, current_password: str,
                          new_password: str, origin: Origin, now: datetime) -> None:
    account = await accounts.get_account(session, account_id)
    if account is None or not account.active:
        raise ValidationFailed("Tài khoản không tồn tại.", code="account_not_found")
    if not await passwords.verify_password(account.password_hash, current_password):
        raise ValidationFailed("Mật khẩu hiện tại không đúng.", code="wrong_password",
                               extra={"field": "current_password"})
    await _set_password(session, account, new_password, now=now)
    await audit.record(session, action="password.changed", origin=origin,
                       actor=Actor(account.id, account.kind), target_type="account",
                       target_id=account.id, agency_id=account.agency_id)


async def _set_password(session: AsyncSession, account: Account, new_password: str, *,
                        now: datetime) -> None:
    validation.check_password(new_password, id_number=account.id_number or account.username)
    await accounts.set_password(session, account.id, await passwords.hash_password(new_password),
                                now=now)
    await oidc.revoke_account_tokens(session, account.id, now=now)
    await oidc.end_account_sessions(session, account.id, now=now)
