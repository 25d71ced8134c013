"""Statements of the customer club: members, activities, sign-ups."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care.models import club_activities, club_members, club_signups
from crm_care.repository import one, rows, upsert
from crm_kit.pagination import oldest_first


async def save_member(session: AsyncSession, **values) -> sa.Row:
    await upsert(session, club_members, ["dealer_id", "customer_id"], values)
    return await member(session, values["dealer_id"], values["customer_id"])


async def member(session: AsyncSession, dealer_id: str, customer_id: uuid.UUID) -> sa.Row | None:
    return await one(session, sa.select(club_members).where(club_members.c.dealer_id == dealer_id,
                                                            club_members.c.customer_id == customer_id))


async def members_page(session: AsyncSession, dealer_filter, *, dealer_id: str | None,
                       after: tuple[datetime, uuid.UUID] | None, limit: int) -> list[sa.Row]:
    query = oldest_first(sa.select(club_members), (club_members.c.joined_at, club_members.c.customer_id), after, limit,
                         dealer_column=club_members.c.dealer_id, dealers=dealer_filter, dealer_id=dealer_id)
    return await rows(session, query)


async def insert_activity(session: AsyncSession, **values) -> sa.Row:
    return (await session.exec(sa.insert(club_activities).values(**values).returning(club_activities))).one()


async def activity(session: AsyncSession, activity_id: uuid.UUID) -> sa.Row | None:
    return await one(session, sa.select(club_activities).where(club_activities.c.id == activity_id))


async def activity_for_signup(session: AsyncSession, activity_id: uuid.UUID) -> sa.Row | None:
    """Locked, so two sign-ups for the last place are counted one after the other."""
    return await one(session, sa.select(club_activities).where(club_activities.c.id == activity_id)
                     .with_for_update())


async def activities_page(session: AsyncSession, dealer_filter, *, dealer_id: str | None,
                          after: tuple[datetime, uuid.UUID] | None, limit: int) -> list[sa.Row]:
    query = oldest_first(sa.select(club_activities), (club_activities.c.starts_at, club_activities.c.id), after, limit,
                         dealer_column=club_activities.c.dealer_id, dealers=dealer_filter, dealer_id=dealer_id)
    return await rows(session, query)


async def signups(session: AsyncSession, activity_id: uuid.UUID) -> int:
    return (await session.exec(sa.select(sa.func.count()).select_from(club_signups).where(
        club_signups.c.activity_id == activity_id))).scalar_one()


async def signed_up(session: AsyncSession, activity_id: uuid.UUID, customer_id: uuid.UUID) -> bool:
    return await one(session, sa.select(club_signups.c.activity_id).where(
        club_signups.c.activity_id == activity_id, club_signups.c.customer_id == customer_id)) is not None


async def insert_signup(session: AsyncSession, activity_id: uuid.UUID, customer_id: uuid.UUID, at: datetime) -> None:
    await session.exec(insert(club_signups).values(activity_id=activity_id, customer_id=customer_id,
                                                   signed_up_at=at).on_conflict_do_nothing())
