"""svc-identity's tables, all on one ``MetaData`` (the migrations compare against it)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from egov_shared.db import BigIntPK, new_metadata
from egov_shared.messaging.tables import define_messaging_tables


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on both backends: SQLite hands back naive values, so we re-attach UTC
    and refuse naive input instead of guessing its zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware UTC values only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = new_metadata()


metadata = Base.metadata
messaging = define_messaging_tables(metadata)


class Agency(Base):
    """A node of the generic agency tree (cơ quan), with validity dates for reorganisations."""

    __tablename__ = "agency"

    id: Mapped[str] = mapped_column(String(35), primary_key=True)
    legacy_id: Mapped[str | None] = mapped_column(String(13), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("agency.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    # The agency that took over this one's duties (the 2025 reorganisation), if any.
    successor_id: Mapped[str | None] = mapped_column(ForeignKey("agency.id"))
    # {"mon": [["07:00", "11:30"], ["13:30", "17:00"]], …}; None = the platform's default hours.
    office_hours: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Account(Base):
    """A person who signs in: citizen, business representative or official."""

    __tablename__ = "account"
    __table_args__ = (
        CheckConstraint("kind IN ('citizen', 'business', 'official')", name="kind"),
        CheckConstraint("sex IN ('male', 'female')", name="sex"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    full_name: Mapped[str] = mapped_column(String(200))
    id_number: Mapped[str | None] = mapped_column(String(12), unique=True)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(8))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    assurance_level: Mapped[int] = mapped_column(SmallInteger)
    agency_id: Mapped[str | None] = mapped_column(ForeignKey("agency.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Business accounts (doanh nghiệp): the tax code is the username; the legal representative
    # is a citizen account.
    tax_code: Mapped[str | None] = mapped_column(String(14), unique=True)
    legal_representative_id: Mapped[str | None] = mapped_column(
        ForeignKey("account.id"), index=True)
    position: Mapped[str | None] = mapped_column(String(200))  # an official's chức vụ
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    verification_method: Mapped[str | None] = mapped_column(String(32))
    verified_by: Mapped[str | None] = mapped_column(String(36))
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Sign-in protection: consecutive failures, the lock they caused and how many locks so far
    # (each lock lasts twice as long as the previous one).
    failed_logins: Mapped[int] = mapped_column(SmallInteger, default=0)
    lockouts: Mapped[int] = mapped_column(SmallInteger, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # TOTP second factor (RFC 6238): the secret is encrypted at rest (SecretBox).
    totp_secret: Mapped[str | None] = mapped_column(Text)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)  # no code is used twice
    password_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    roles: Mapped[list[AccountRole]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="AccountRole.role"
    )

    @property
    def role_names(self) -> list[str]:
        return [r.role for r in self.roles]


class AccountRole(Base):
    """A role held by an account; it applies on the account's agency and its subtree."""

    __tablename__ = "account_role"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(64), primary_key=True)


class Client(Base):
    """An OIDC client (relying party). Redirect URIs ending in ``/`` allow any path below."""

    __tablename__ = "client"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    public: Mapped[bool] = mapped_column(Boolean)
    redirect_uris: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # none (public, PKCE) | client_secret_basic | client_secret_post | private_key_jwt
    auth_method: Mapped[str] = mapped_column(String(32), default="none")
    secret_hash: Mapped[str | None] = mapped_column(String(255))  # argon2id, never the secret
    jwks: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # for private_key_jwt
    grant_types: Mapped[list[Any]] = mapped_column(JSON, default=list)
    scopes: Mapped[list[Any]] = mapped_column(JSON, default=list)  # client_credentials scopes
    agency_id: Mapped[str | None] = mapped_column(ForeignKey("agency.id"))  # partner's agency
    post_logout_redirect_uris: Mapped[list[Any]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AuthorizationCode(Base):
    """A pending authorization code. Only its SHA-256 is stored, so a database leak
    does not hand out live codes."""

    __tablename__ = "authorization_code"
    __table_args__ = (Index("ix_authorization_code_expires_at", "expires_at"),)

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("client.client_id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    redirect_uri: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(String(1024))
    nonce: Mapped[str | None] = mapped_column(String(512))
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    code_challenge_method: Mapped[str | None] = mapped_column(String(16))
    auth_time: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    amr: Mapped[list[Any] | None] = mapped_column(JSON)
    sso_session_hash: Mapped[str | None] = mapped_column(String(64))


class SigningKey(Base):
    """A token-signing key (ES256). The private PEM never leaves this table, and is encrypted
    in it (SecretBox). ``active`` keys sign (the newest); a retired key is still published
    until ``retired_until``, when the last token it signed has expired."""

    __tablename__ = "signing_key"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    algorithm: Mapped[str] = mapped_column(String(16))
    private_key_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    retired_until: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SsoSession(Base):
    """A browser's sign-in at the provider (single sign-on): while it lasts, every provincial
    app gets a code without asking for the password again. Only the cookie's hash is stored."""

    __tablename__ = "sso_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"),
                                            index=True)
    amr: Mapped[list[Any]] = mapped_column(JSON)  # ["pwd"] or ["pwd", "otp"]
    auth_time: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ip: Mapped[str | None] = mapped_column(String(64))


class LoginChallenge(Base):
    """Between the password and the second factor: who passed the first step, for which
    authorization request. Single use, short-lived, only the hash of its handle is stored."""

    __tablename__ = "login_challenge"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(16))  # "verify" | "enroll"
    pending_secret: Mapped[str | None] = mapped_column(Text)  # enrolment: encrypted secret
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RefreshToken(Base):
    """One refresh token of a family (one sign-in). Rotation spends it and issues the next;
    presenting a spent one again means it was stolen: the whole family is revoked."""

    __tablename__ = "refresh_token"
    __table_args__ = (Index("ix_refresh_token_family_id", "family_id"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    family_id: Mapped[str] = mapped_column(String(36))
    client_id: Mapped[str] = mapped_column(ForeignKey("client.client_id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"),
                                            index=True)
    scope: Mapped[str] = mapped_column(String(1024))
    sso_session_hash: Mapped[str | None] = mapped_column(String(64))
    auth_time: Mapped[datetime] = mapped_column(UtcDateTime)
    amr: Mapped[list[Any]] = mapped_column(JSON, default=list)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    family_expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RevokedToken(Base):
    """Access tokens revoked before they expire (RFC 7009), by ``jti``; introspection answers
    them inactive. Rows can go once ``expires_at`` has passed."""

    __tablename__ = "revoked_token"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class ClientAssertion(Base):
    """``jti`` of private_key_jwt client assertions already used: each is accepted once."""

    __tablename__ = "client_assertion"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    jti: Mapped[str] = mapped_column(String(255), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class PasswordReset(Base):
    """A password-reset token: single use, expiring; only its SHA-256 is stored."""

    __tablename__ = "password_reset"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"),
                                            index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AuditEvent(Base):
    """A security-relevant action: who (actor), what (action, target, outcome), when, from
    where (IP, user agent). Append-only; personal data kept to what an investigation needs."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_at", "at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    action: Mapped[str] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(16))  # success | failure | denied
    actor_id: Mapped[str | None] = mapped_column(String(64), index=True)
    actor_kind: Mapped[str | None] = mapped_column(String(16))
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64), index=True)
    agency_id: Mapped[str | None] = mapped_column(String(35), index=True)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    request_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Who the data belongs to (a dossier's applicant), for the citizen's own access log; the
    # actor's name as it was then (officials are renamed, entries are not).
    owner_id: Mapped[str | None] = mapped_column(String(64), index=True)
    actor_name: Mapped[str | None] = mapped_column(String(255))
    # The hash chain (audit.chain): position, the previous entry's hash and this one's, over
    # the previous hash and the entry's canonical form. NULL only for rows written by a
    # version without the chain, until the seal job adopts them.
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str | None] = mapped_column(String(64))


class AuditSeal(Base):
    """The chain's head at a moment, signed (a JWS, ES256) with the OIDC provider's signing key
    of that moment: an altered or truncated log no longer matches a seal."""

    __tablename__ = "audit_seal"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    entry_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    kid: Mapped[str] = mapped_column(String(64))
    jws: Mapped[str] = mapped_column(Text)


class Certificate(Base):
    """An X.509 certificate of the provincial CA: the CA's own (``ca``), an official's
    (``personal``) or an agency's (``organisational``). The private key is sealed (SecretBox)
    and only ever used inside this service, or handed to its owner as PKCS#12."""

    __tablename__ = "certificate"
    __table_args__ = (
        CheckConstraint("kind IN ('ca', 'personal', 'organisational')", name="kind"),
    )

    serial: Mapped[str] = mapped_column(String(40), primary_key=True)  # hex
    kind: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[str | None] = mapped_column(ForeignKey("account.id"), index=True)
    agency_id: Mapped[str | None] = mapped_column(ForeignKey("agency.id"), index=True)
    subject: Mapped[str] = mapped_column(Text)  # RFC 4514 string
    certificate_pem: Mapped[str] = mapped_column(Text)
    private_key: Mapped[str | None] = mapped_column(Text)  # sealed PKCS#8 PEM; None: CSR-issued
    key_algorithm: Mapped[str] = mapped_column(String(16))
    not_before: Mapped[datetime] = mapped_column(UtcDateTime)
    not_after: Mapped[datetime] = mapped_column(UtcDateTime)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    issued_by: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revocation_reason: Mapped[str | None] = mapped_column(String(32))
    revoked_by: Mapped[str | None] = mapped_column(String(64))
