"""The steps of signing in at the authorization endpoint: the password (with lockout), then a
TOTP code for accounts that have one, or enrolment for officials whose role requires one; on
success an SSO session, so the next provincial app signs the person in without a password.

Between the steps a *login challenge* carries who passed the password, for a few minutes and a
few attempts; the browser holds only a random handle, the database only its hash.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.messaging.outbox import Outbox
from svc_identity.accounts import repository as accounts
from svc_identity.accounts import security
from svc_identity.accounts import service as account_service
from svc_identity.accounts.validation import TOTP_REQUIRED_ROLES
from svc_identity.audit import service as audit
from svc_identity.audit.service import Origin
from svc_identity.models import Account, LoginChallenge, SsoSession
from svc_identity.oidc import repository
from svc_identity.secretbox import SecretBox
from svc_identity.settings import IdentitySettings

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_CODE_ATTEMPTS = 5
WRONG_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."
WRONG_CODE = "Mã xác thực không đúng hoặc đã được dùng."
EXPIRED = "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại."


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class Completed:
    account: Account
    amr: list[str]


@dataclass(frozen=True)
class NeedsCode:
    """Ask for a code: ``verify`` an enrolled authenticator, or ``enroll`` one (``secret`` is
    then shown so the person can add it to their app)."""

    handle: str
    purpose: Literal["verify", "enroll"]
    account: Account
    secret: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Refused:
    message: str
    restart: bool = False  # the challenge is gone: back to the password form


Step = Completed | NeedsCode | Refused


@dataclass(frozen=True)
class SignInContext:
    settings: IdentitySettings
    box: SecretBox
    outbox: Outbox
    origin: Origin
    now: datetime

    @property
    def policy(self) -> security.LockoutPolicy:
        s = self.settings
        return security.LockoutPolicy(s.lockout_threshold, s.lockout_base_seconds,
                                      s.lockout_max_seconds)


def locked_message(until: datetime | None) -> str:
    when = until.astimezone(VIETNAM).strftime("%H:%M ngày %d/%m/%Y") if until else "ít phút"
    return (f"Tài khoản tạm thời bị khóa do nhập sai nhiều lần. Vui lòng thử lại sau {when} "
            "hoặc đặt lại mật khẩu.")


async def password_step(session: AsyncSession, ctx: SignInContext, *, username: str,
                        password: str) -> Step:
    check = await account_service.check_credentials(
        session, username=username, password=password, policy=ctx.policy,
        outbox=ctx.outbox, origin=ctx.origin, now=ctx.now)
    if check.status == "locked":
        return Refused(locked_message(check.locked_until))
    if check.account is None:
        return Refused(WRONG_CREDENTIALS)
    account = check.account
    if account.totp_enabled_at is not None and account.totp_secret:
        return NeedsCode(await _challenge(session, ctx, account, "verify"), "verify", account)
    if set(account.role_names) & TOTP_REQUIRED_ROLES:
        secret = security.new_totp_secret()
        handle = await _challenge(session, ctx, account, "enroll", secret)
        return NeedsCode(handle, "enroll", account, secret=secret)
    return Completed(account, ["pwd"])


async def _challenge(session: AsyncSession, ctx: SignInContext, account: Account,
                     purpose: Literal["verify", "enroll"], secret: str | None = None) -> str:
    handle = secrets.token_urlsafe(32)
    await repository.add_row(session, LoginChallenge(
        id_hash=digest(handle), account_id=account.id, purpose=purpose,
        pending_secret=ctx.box.seal(secret, aad=account.id) if secret else None, attempts=0,
        expires_at=ctx.now + timedelta(seconds=ctx.settings.login_challenge_ttl_seconds)))
    return handle


async def code_step(session: AsyncSession, ctx: SignInContext, *, handle: str,
                    code: str) -> Step:
    challenge = await repository.claim_challenge(session, digest(handle), now=ctx.now)
    account = (await accounts.get_account(session, challenge.account_id)
               if challenge is not None else None)
    if challenge is None or account is None or not account.active:
        return Refused(EXPIRED, restart=True)
    if security.is_locked(account.locked_until, ctx.now):
        await repository.spend_challenge(session, challenge.id_hash, now=ctx.now)
        return Refused(locked_message(account.locked_until), restart=True)
    secret = _secret_of(ctx, account, challenge)
    step = security.matching_step(secret, code, now=ctx.now, last_step=account.totp_last_step)
    if step is None or not await accounts.set_totp_step(session, account.id, step):
        return await _wrong_code(session, ctx, account, challenge, handle, secret)
    await repository.spend_challenge(session, challenge.id_hash, now=ctx.now)
    if challenge.purpose == "enroll":
        await accounts.set_totp(session, account.id, ctx.box.seal(secret, aad=account.id),
                                enabled_at=ctx.now)
        await accounts.set_totp_step(session, account.id, step)
        await audit.record(session, action="totp.enrolled", origin=ctx.origin,
                           target_type="account", target_id=account.id,
                           agency_id=account.agency_id)
    return Completed(account, ["pwd", "otp"])


def _secret_of(ctx: SignInContext, account: Account, challenge: LoginChallenge) -> str:
    sealed = challenge.pending_secret if challenge.purpose == "enroll" else account.totp_secret
    assert sealed is not None
    return ctx.box.open(sealed, aad=account.id)


async def _wrong_code(session: AsyncSession, ctx: SignInContext, account: Account,
                      challenge: LoginChallenge, handle: str, secret: str) -> Step:
    await audit.record(session, action="login", outcome="failure", origin=ctx.origin,
                       target_type="account", target_id=account.id,
                       agency_id=account.agency_id, details={"reason": "wrong_totp"})
    check = await account_service.count_failure(session, account, policy=ctx.policy,
                                                outbox=ctx.outbox, origin=ctx.origin,
                                                now=ctx.now)
    if check.status == "locked":
        await repository.spend_challenge(session, challenge.id_hash, now=ctx.now)
        return Refused(locked_message(check.locked_until), restart=True)
    if challenge.attempts >= MAX_CODE_ATTEMPTS:
        await repository.spend_challenge(session, challenge.id_hash, now=ctx.now)
        return Refused(EXPIRED, restart=True)
    purpose: Literal["verify", "enroll"] = "enroll" if challenge.purpose == "enroll" else "verify"
    return NeedsCode(handle, purpose, account,
                     secret=secret if purpose == "enroll" else None, error=WRONG_CODE)


async def complete(session: AsyncSession, ctx: SignInContext, done: Completed) -> str:
    """The sign-in succeeded: clears failures, opens the SSO session (its handle goes into the
    cookie), audits the login."""
    account = done.account
    if account.failed_logins or account.lockouts:
        await accounts.clear_failures(session, account.id)
    handle = secrets.token_urlsafe(32)
    await repository.add_row(session, SsoSession(
        id_hash=digest(handle), account_id=account.id, amr=done.amr, auth_time=ctx.now,
        expires_at=ctx.now + timedelta(seconds=ctx.settings.sso_session_ttl_seconds),
        ip=ctx.origin.ip))
    await audit.record(session, action="login", origin=ctx.origin, target_type="account",
                       target_id=account.id, agency_id=account.agency_id,
                       actor=audit.Actor(account.id, account.kind),
                       details={"amr": done.amr})
    return handle
