"""The OAuth2 grants of POST /auth/token: password, client credentials, rotating refresh, token exchange."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts.permissions import ALL_DEALERS
from crm_gateway import tokens
from crm_gateway.domain.roles import permissions_of
from crm_gateway.domain.throttle import FORGET_AFTER, blocked_until
from crm_gateway.handlers.passwords import verify_secret
from crm_gateway.models import RefreshToken, StaffUser
from crm_gateway.repository import identity as repository
from crm_gateway.settings import GatewaySettings
from crm_gateway.tokens import Keyring
from crm_kit.auth import Principal
from crm_kit.problems import Problem


@dataclass(frozen=True)
class Issuer:
    """What token issuing needs from the app: the settings and the keys."""

    settings: GatewaySettings
    keyring: Keyring


def invalid_grant(detail: str) -> Problem:
    # RFC 6749 §5.2: a failed grant is a 400 with error=invalid_grant.
    return Problem(400, "Bad Request", detail, error="invalid_grant")


async def throttled(session: AsyncSession, issuer: Issuer, account: str, address: str, now: datetime) -> None:
    """429 while this account is blocked from this address, or this address from every account."""
    settings = issuer.settings
    until = None
    for record in await repository.throttles(session, account, address):
        limit = settings.login_max_failures if record.account else settings.login_address_max_failures
        blocked = blocked_until(record.failures, record.last_failure_at, max_failures=limit,
                                first_block_seconds=settings.login_block_seconds)
        if blocked is not None and blocked > now and (until is None or blocked > until):
            until = blocked
    if until is not None:
        wait = max(1, int((until - now).total_seconds() + 0.999))
        raise Problem(429, "Too Many Requests", f"Too many failed attempts; try again in {wait} s.",
                      headers={"Retry-After": str(wait)}, error="invalid_grant")


async def record_failure(sessions, account: str, address: str, now: datetime) -> None:
    """Count a failure in a transaction of its own: the grant's transaction is rolled back by the error."""
    async with sessions() as session, session.begin():
        await repository.record_failure(session, account, address, now, forget_before=now - FORGET_AFTER)


async def password(session: AsyncSession, sessions, issuer: Issuer, username: str, secret: str, address: str
                   ) -> dict:
    now = datetime.now(UTC)
    account = "user:" + username.lower()
    await throttled(session, issuer, account, address, now)
    user = await repository.user_by_name(session, username.lower())
    if not await verify_secret(user.password_hash if user else None, secret) or not user.active:
        await record_failure(sessions, account, address, now)
        raise invalid_grant("Unknown user or wrong password.")
    await repository.clear_failures(session, account, address)
    return await user_tokens(session, issuer, user, family=uuid.uuid4())


async def client_credentials(session: AsyncSession, sessions, issuer: Issuer, client_id: str, secret: str,
                             address: str) -> dict:
    now = datetime.now(UTC)
    account = "client:" + client_id
    await throttled(session, issuer, account, address, now)
    client = await repository.client(session, client_id)
    if not await verify_secret(client.secret_hash if client else None, secret) or not client.active:
        await record_failure(sessions, account, address, now)
        raise Problem(401, "Unauthorized", "Unknown client or wrong secret.", error="invalid_client",
                      headers={"WWW-Authenticate": "Basic"})
    await repository.clear_failures(session, account, address)
    ttl = issuer.settings.client_token_ttl_seconds
    access = tokens.issue(issuer.keyring.current, subject=client.client_id, roles=["partner"],
                          scope=sorted(client.scope), dealers=sorted(client.dealers), kind="client",
                          issuer=issuer.settings.jwt_issuer, audience=issuer.settings.jwt_audience, ttl_seconds=ttl)
    return {"access_token": access, "token_type": "bearer", "expires_in": ttl, "scope": " ".join(client.scope)}


async def refresh(session: AsyncSession, sessions, issuer: Issuer, presented: str) -> dict:
    token_hash = tokens.refresh_hash(presented)
    used = await repository.use_refresh_token(session, token_hash, datetime.now(UTC))
    if used is None:
        known = await repository.refresh_token(session, token_hash)
        if known is not None and known.used_at is not None and not known.revoked:
            # A rotated token used again: someone holds a copy. End every session of this family.
            async with sessions() as revoking, revoking.begin():
                await repository.revoke_family(revoking, known.family)
            raise invalid_grant("The refresh token was already used; every token of this sign-in is revoked.")
        raise invalid_grant("The refresh token is not valid.")
    user = await repository.user(session, used.user_id)
    if user is None or not user.active:
        raise invalid_grant("The user is no longer active.")
    return await user_tokens(session, issuer, user, family=used.family)


async def exchange(session: AsyncSession, issuer: Issuer, external: Principal) -> dict:
    """A token of the configured OIDC issuer (already verified), for the user known here by its subject."""
    user = await repository.user_by_name(session, external.subject.lower())
    if user is None or not user.active:
        raise invalid_grant("No active user matches the external identity.")
    return await user_tokens(session, issuer, user, family=uuid.uuid4())


async def user_tokens(session: AsyncSession, issuer: Issuer, user: StaffUser, family: uuid.UUID) -> dict:
    settings = issuer.settings
    dealers = [ALL_DEALERS] if user.all_dealers else (await repository.memberships(session, [user.id]))[user.id]
    access = tokens.issue(issuer.keyring.current, subject=user.username, roles=sorted(user.roles),
                          scope=permissions_of(user.roles), dealers=dealers, issuer=settings.jwt_issuer,
                          audience=settings.jwt_audience, ttl_seconds=settings.token_ttl_seconds)
    refresh_token, token_hash = tokens.new_refresh_token()
    session.add(RefreshToken(token_hash=token_hash, family=family, user_id=user.id,
                             expires_at=datetime.now(UTC) + timedelta(seconds=settings.refresh_ttl_seconds)))
    return {"access_token": access, "token_type": "bearer", "expires_in": settings.token_ttl_seconds,
            "refresh_token": refresh_token, "scope": " ".join(permissions_of(user.roles))}
