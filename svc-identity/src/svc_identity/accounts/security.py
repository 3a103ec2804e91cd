"""Pure sign-in protection rules (no I/O): the lockout policy and TOTP (RFC 6238) codes.

Lockout: ``threshold`` wrong passwords in a row lock the account; each further lock lasts twice
as long as the previous one, up to ``max_seconds``, so a guesser gets a handful of tries an hour
while the owner, after one lock, can still sign in minutes later. A successful sign-in or a
password reset clears the count.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp

TOTP_DIGITS = 6
TOTP_PERIOD = 30
TOTP_WINDOW = 1  # one step either side: clocks of phones drift
TOTP_ISSUER = "Dịch vụ công"


@dataclass(frozen=True)
class LockoutPolicy:
    threshold: int
    base_seconds: int
    max_seconds: int

    def lock_duration(self, previous_lockouts: int) -> timedelta:
        seconds = self.base_seconds * 2 ** min(previous_lockouts, 30)
        return timedelta(seconds=min(seconds, self.max_seconds))


@dataclass(frozen=True)
class FailureOutcome:
    """What one more wrong password does: the new count, and a lock if it reached the bar."""

    failed_logins: int
    lockouts: int
    locked_until: datetime | None


def after_failure(policy: LockoutPolicy, *, failed_logins: int, lockouts: int,
                  now: datetime) -> FailureOutcome:
    failed = failed_logins + 1
    if failed < policy.threshold:
        return FailureOutcome(failed, lockouts, None)
    return FailureOutcome(0, lockouts + 1, now + policy.lock_duration(lockouts))


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and locked_until > now


def new_totp_secret() -> str:
    """160 random bits, base32 (what authenticator apps expect)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def provisioning_uri(secret: str, *, account_name: str) -> str:
    """``otpauth://`` URI to scan or type into an authenticator app."""
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD).provisioning_uri(
        name=account_name, issuer_name=TOTP_ISSUER)


def matching_step(secret: str, code: str, *, now: datetime, last_step: int | None) -> int | None:
    """The time step a code belongs to (within the window), or None. A step at or before
    ``last_step`` is refused: each code works once (RFC 6238 §5.2)."""
    code = code.strip().replace(" ", "")
    if len(code) != TOTP_DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD)
    current = int(now.timestamp()) // TOTP_PERIOD
    for step in range(current - TOTP_WINDOW, current + TOTP_WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None
