"""Queries on dealers, users, memberships, API clients, refresh tokens and login throttling."""

import uuid
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_gateway.models import ApiClient, Dealer, LoginThrottle, Membership, RefreshToken, StaffUser


async def dealer(session: AsyncSession, dealer_id: str) -> Dealer | None:
    return await session.get(Dealer, dealer_id)


async def missing_dealers(session: AsyncSession, dealer_ids: Iterable[str]) -> list[str]:
    wanted = set(dealer_ids)
    found = set((await session.exec(select(Dealer.id).where(col(Dealer.id).in_(wanted)))).all())
    return sorted(wanted - found)


async def dealers(session: AsyncSession, scope: frozenset[str] | None, limit: int, after: str | None
                  ) -> list[Dealer]:
    query = select(Dealer).order_by(Dealer.id).limit(limit + 1)
    if scope is not None:
        query = query.where(col(Dealer.id).in_(scope))
    if after is not None:
        query = query.where(Dealer.id > after)
    return list((await session.exec(query)).all())


async def ensure_dealer(session: AsyncSession, dealer_id: str, name: str) -> None:
    await session.exec(insert(Dealer).values(id=dealer_id, name=name).on_conflict_do_nothing())


async def user_by_name(session: AsyncSession, username: str) -> StaffUser | None:
    return (await session.exec(select(StaffUser).where(StaffUser.username == username))).first()


async def user(session: AsyncSession, user_id: uuid.UUID, *, lock: bool = False) -> StaffUser | None:
    return await session.get(StaffUser, user_id, with_for_update=lock)


async def memberships(session: AsyncSession, user_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    rows = (await session.exec(select(Membership).where(col(Membership.user_id).in_(user_ids))
                               .order_by(Membership.dealer_id))).all()
    found: dict[uuid.UUID, list[str]] = {user_id: [] for user_id in user_ids}
    for row in rows:
        found[row.user_id].append(row.dealer_id)
    return found


async def set_memberships(session: AsyncSession, user_id: uuid.UUID, dealer_ids: list[str]) -> None:
    await session.exec(sa.delete(Membership).where(Membership.user_id == user_id))
    for dealer_id in sorted(set(dealer_ids)):
        session.add(Membership(user_id=user_id, dealer_id=dealer_id))


async def users(session: AsyncSession, scope: frozenset[str] | None, limit: int, after: str | None
                ) -> list[StaffUser]:
    """Users by username; a dealer-scoped caller sees only users whose every dealer is one of its own."""
    query = select(StaffUser).order_by(StaffUser.username).limit(limit + 1)
    if scope is not None:
        outside = select(Membership.user_id).where(Membership.user_id == StaffUser.id,
                                                   col(Membership.dealer_id).not_in(scope))
        inside = select(Membership.user_id).where(Membership.user_id == StaffUser.id)
        query = query.where(~StaffUser.all_dealers, sa.exists(inside), ~sa.exists(outside))
    if after is not None:
        query = query.where(StaffUser.username > after)
    return list((await session.exec(query)).all())


async def client(session: AsyncSession, client_id: str, *, lock: bool = False) -> ApiClient | None:
    return await session.get(ApiClient, client_id, with_for_update=lock)


async def clients(session: AsyncSession, scope: frozenset[str] | None, limit: int, after: str | None
                  ) -> list[ApiClient]:
    """API clients by id; a dealer-scoped caller sees only clients limited to its own dealers."""
    query = select(ApiClient).order_by(ApiClient.client_id).limit(limit + 1)
    if scope is not None:
        query = query.where(sa.func.cardinality(ApiClient.dealers) > 0,
                            col(ApiClient.dealers).contained_by(sorted(scope)))
    if after is not None:
        query = query.where(ApiClient.client_id > after)
    return list((await session.exec(query)).all())


async def refresh_token(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    return await session.get(RefreshToken, token_hash)


async def use_refresh_token(session: AsyncSession, token_hash: str, now: datetime) -> RefreshToken | None:
    """Mark a live, unused refresh token used; None if there is none (two racing uses: one wins)."""
    statement = (sa.update(RefreshToken)
                 .where(RefreshToken.token_hash == token_hash, RefreshToken.used_at.is_(None), ~RefreshToken.revoked,
                        RefreshToken.expires_at > now)
                 .values(used_at=now).returning(RefreshToken.family, RefreshToken.user_id))
    row = (await session.exec(statement)).first()
    return None if row is None else RefreshToken(token_hash=token_hash, family=row.family, user_id=row.user_id,
                                                 expires_at=now, used_at=now)


async def revoke_family(session: AsyncSession, family: uuid.UUID) -> None:
    await session.exec(sa.update(RefreshToken).where(RefreshToken.family == family).values(revoked=True))


async def throttles(session: AsyncSession, account: str, address: str) -> list[LoginThrottle]:
    """The account's failures from this address, and the address's failures across every account."""
    statement = select(LoginThrottle).where(LoginThrottle.address == address,
                                            col(LoginThrottle.account).in_([account, ""]))
    return list((await session.exec(statement)).all())


async def record_failure(session: AsyncSession, account: str, address: str, now: datetime,
                         forget_before: datetime) -> None:
    """One more failure for the account from this address and for the address; a count whose last
    failure is older than `forget_before` starts again, so old mistakes do not add up for ever."""
    table = LoginThrottle.__table__
    statement = insert(table).values([{"account": account, "address": address, "failures": 1,
                                       "last_failure_at": now},
                                      {"account": "", "address": address, "failures": 1, "last_failure_at": now}])
    await session.exec(statement.on_conflict_do_update(
        index_elements=[table.c.account, table.c.address],
        set_={"failures": sa.case((table.c.last_failure_at < forget_before, 1), else_=table.c.failures + 1),
              "last_failure_at": now}))


async def clear_failures(session: AsyncSession, account: str, address: str) -> None:
    """A success ends the account's count from this address; the address's own count runs on, so one
    account an attacker knows cannot wipe the failures of the others guessed from the same place."""
    await session.exec(sa.delete(LoginThrottle).where(LoginThrottle.account == account,
                                                       LoginThrottle.address == address))


async def dealer_names(session: AsyncSession, dealer_ids: Iterable[str]) -> dict[str, str]:
    rows = (await session.exec(select(Dealer.id, Dealer.name).where(col(Dealer.id).in_(set(dealer_ids))))).all()
    return {row.id: row.name for row in rows}


async def revoke_family_of(session: AsyncSession, token_hash: str) -> bool:
    """Revoke every refresh token of the sign-in this one belongs to; False when the token is unknown."""
    family = select(RefreshToken.family).where(RefreshToken.token_hash == token_hash).scalar_subquery()
    result = await session.exec(sa.update(RefreshToken).where(RefreshToken.family == family).values(revoked=True))
    return result.rowcount > 0


async def revoke_user_tokens(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.exec(sa.update(RefreshToken).where(RefreshToken.user_id == user_id).values(revoked=True))
