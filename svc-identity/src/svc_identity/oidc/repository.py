"""Every query on OIDC clients, authorization codes and signing keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from egov_shared.db import dialect_insert
from svc_identity.models import (
    AuthorizationCode,
    Client,
    ClientAssertion,
    LoginChallenge,
    RefreshToken,
    RevokedToken,
    SigningKey,
    SsoSession,
)


async def get_client(session: AsyncSession, client_id: str) -> Client | None:
    return await session.get(Client, client_id)


async def upsert_client(session: AsyncSession, client: Client) -> None:
    """Insert, or refresh the redirect URIs; safe when replicas seed at the same time."""
    make = dialect_insert(session)
    values = {c.key: getattr(client, c.key) for c in Client.__table__.columns}
    statement = make(Client).values(**values)
    await session.execute(statement.on_conflict_do_update(
        index_elements=[Client.client_id],
        set_={"redirect_uris": statement.excluded.redirect_uris,
              "grant_types": statement.excluded.grant_types,
              "post_logout_redirect_uris": statement.excluded.post_logout_redirect_uris},
    ))


async def add_code(session: AsyncSession, code: AuthorizationCode) -> None:
    session.add(code)
    await session.flush()


async def claim_code(session: AsyncSession, code_hash: str, *, now: datetime
                     ) -> AuthorizationCode | None:
    """Marks a live, unused code as used and returns it; None if used, expired or unknown.

    One conditional UPDATE, so two concurrent exchanges of one code cannot both win.
    """
    statement = (
        update(AuthorizationCode)
        .where(AuthorizationCode.code_hash == code_hash,
               AuthorizationCode.used_at.is_(None),
               AuthorizationCode.expires_at > now)
        .values(used_at=now)
        .returning(AuthorizationCode)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def active_signing_keys(session: AsyncSession) -> Sequence[SigningKey]:
    """Newest first: the first one signs, all of them verify."""
    query = (
        select(SigningKey)
        .where(SigningKey.active.is_(True))
        .order_by(SigningKey.created_at.desc(), SigningKey.kid)
    )
    return (await session.execute(query)).scalars().all()


async def published_signing_keys(session: AsyncSession, *, now: datetime
                                 ) -> Sequence[SigningKey]:
    """Keys a live token may name: active ones and retired ones still in their window."""
    query = (
        select(SigningKey)
        .where(or_(SigningKey.active.is_(True), SigningKey.retired_until > now))
        .order_by(SigningKey.created_at.desc(), SigningKey.kid)
    )
    return (await session.execute(query)).scalars().all()


async def all_signing_keys(session: AsyncSession) -> Sequence[SigningKey]:
    query = select(SigningKey).order_by(SigningKey.created_at.desc(), SigningKey.kid)
    return (await session.execute(query)).scalars().all()


async def add_signing_key(session: AsyncSession, key: SigningKey) -> None:
    session.add(key)
    await session.flush()


async def retire_signing_keys(session: AsyncSession, kids: list[str], *, now: datetime,
                              until: datetime) -> None:
    if kids:
        await session.execute(
            update(SigningKey).where(SigningKey.kid.in_(kids))
            .values(active=False, retired_at=now, retired_until=until)
        )


async def set_signing_key_pem(session: AsyncSession, kid: str, pem: str) -> None:
    await session.execute(
        update(SigningKey).where(SigningKey.kid == kid).values(private_key_pem=pem))



async def add_row(session: AsyncSession, row: object) -> None:
    session.add(row)
    await session.flush()


async def live_sso_session(session: AsyncSession, id_hash: str, *, now: datetime
                           ) -> SsoSession | None:
    query = select(SsoSession).where(SsoSession.id_hash == id_hash,
                                     SsoSession.ended_at.is_(None), SsoSession.expires_at > now)
    return (await session.execute(query)).scalar_one_or_none()


async def end_sso_session(session: AsyncSession, id_hash: str, *, now: datetime) -> bool:
    statement = (update(SsoSession)
                 .where(SsoSession.id_hash == id_hash, SsoSession.ended_at.is_(None))
                 .values(ended_at=now).returning(SsoSession.account_id))
    return (await session.execute(statement)).first() is not None


async def end_account_sessions(session: AsyncSession, account_id: str, *, now: datetime) -> None:
    await session.execute(update(SsoSession)
                          .where(SsoSession.account_id == account_id,
                                 SsoSession.ended_at.is_(None)).values(ended_at=now))


async def claim_challenge(session: AsyncSession, id_hash: str, *, now: datetime
                          ) -> LoginChallenge | None:
    """A live, unused challenge (one attempt taken from it), or None."""
    statement = (
        update(LoginChallenge)
        .where(LoginChallenge.id_hash == id_hash, LoginChallenge.used_at.is_(None),
               LoginChallenge.expires_at > now)
        .values(attempts=LoginChallenge.attempts + 1).returning(LoginChallenge)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def spend_challenge(session: AsyncSession, id_hash: str, *, now: datetime) -> None:
    await session.execute(update(LoginChallenge).where(LoginChallenge.id_hash == id_hash)
                          .values(used_at=now))


async def get_refresh_token(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    return await session.get(RefreshToken, token_hash)


async def spend_refresh_token(session: AsyncSession, token_hash: str, *, now: datetime) -> bool:
    """Marks a live refresh token used; False when it was used or revoked already (a reuse,
    possibly concurrent)."""
    statement = (
        update(RefreshToken)
        .where(RefreshToken.token_hash == token_hash, RefreshToken.used_at.is_(None),
               RefreshToken.revoked_at.is_(None))
        .values(used_at=now).returning(RefreshToken.token_hash)
    )
    return (await session.execute(statement)).first() is not None


async def revoke_family(session: AsyncSession, family_id: str, *, now: datetime) -> None:
    await session.execute(update(RefreshToken)
                          .where(RefreshToken.family_id == family_id,
                                 RefreshToken.revoked_at.is_(None)).values(revoked_at=now))


async def revoke_session_tokens(session: AsyncSession, sso_session_hash: str, *,
                                now: datetime) -> None:
    await session.execute(update(RefreshToken)
                          .where(RefreshToken.sso_session_hash == sso_session_hash,
                                 RefreshToken.revoked_at.is_(None)).values(revoked_at=now))


async def revoke_account_tokens(session: AsyncSession, account_id: str, *, now: datetime) -> None:
    await session.execute(update(RefreshToken)
                          .where(RefreshToken.account_id == account_id,
                                 RefreshToken.revoked_at.is_(None)).values(revoked_at=now))


async def revoke_access_token(session: AsyncSession, jti: str, *, expires_at: datetime) -> None:
    make = dialect_insert(session)
    await session.execute(make(RevokedToken).values(jti=jti, expires_at=expires_at)
                          .on_conflict_do_nothing())


async def is_access_token_revoked(session: AsyncSession, jti: str) -> bool:
    return await session.get(RevokedToken, jti) is not None


async def use_client_assertion(session: AsyncSession, client_id: str, jti: str, *,
                               expires_at: datetime) -> bool:
    """Records a private_key_jwt assertion's jti; False when it was seen before (a replay)."""
    make = dialect_insert(session)
    statement = (make(ClientAssertion)
                 .values(client_id=client_id, jti=jti, expires_at=expires_at)
                 .on_conflict_do_nothing().returning(ClientAssertion.jti))
    return (await session.execute(statement)).first() is not None


async def prune_expired(session: AsyncSession, *, now: datetime) -> None:
    """Housekeeping of single-use rows whose lifetime is over."""
    for table, column in ((RevokedToken, RevokedToken.expires_at),
                          (ClientAssertion, ClientAssertion.expires_at),
                          (LoginChallenge, LoginChallenge.expires_at),
                          (AuthorizationCode, AuthorizationCode.expires_at)):
        await session.execute(delete(table).where(column < now))


async def list_clients(session: AsyncSession) -> Sequence[Client]:
    return (await session.execute(select(Client).order_by(Client.client_id))).scalars().all()
