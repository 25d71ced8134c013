"""Segments and their members."""

import uuid
from collections import defaultdict
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_segmentation.models import Segment, SegmentMember, VehicleProfile


async def add_segment(session: AsyncSession, segment: Segment) -> None:
    session.add(segment)
    await session.flush()


async def get_segment(session: AsyncSession, segment_id: uuid.UUID) -> Segment | None:
    return await session.get(Segment, segment_id)


async def segment_for_update(session: AsyncSession, segment_id: uuid.UUID) -> Segment | None:
    query = select(Segment).where(Segment.id == segment_id).with_for_update().execution_options(
        populate_existing=True)
    return (await session.exec(query)).first()


async def name_taken(session: AsyncSession, dealer_id: str, name: str, other_than: uuid.UUID | None = None) -> bool:
    query = select(Segment.id).where(Segment.dealer_id == dealer_id, Segment.name == name)
    if other_than is not None:
        query = query.where(Segment.id != other_than)
    return (await session.exec(query)).first() is not None


async def vehicle_ages(session: AsyncSession, dealer_id: str) -> dict[uuid.UUID, list[int | None]]:
    """Each customer's vehicle ages as of their last refresh (the batch refreshes every vehicle owner)."""
    query = select(VehicleProfile.customer_id, VehicleProfile.age_years).where(VehicleProfile.dealer_id == dealer_id)
    ages: dict[uuid.UUID, list[int | None]] = defaultdict(list)
    for customer_id, age in (await session.exec(query)).all():
        ages[customer_id].append(age)
    return ages


async def vehicle_ages_of(session: AsyncSession, customer_id: uuid.UUID) -> list[int | None]:
    query = select(VehicleProfile.age_years).where(VehicleProfile.customer_id == customer_id)
    return list((await session.exec(query)).all())


async def list_segments(session: AsyncSession, dealers: frozenset[str] | None, limit: int,
                        after: uuid.UUID | None) -> list[tuple[Segment, int]]:
    members = (select(SegmentMember.segment_id, sa.func.count().label("members"))
               .group_by(col(SegmentMember.segment_id)).subquery())
    query = (select(Segment, sa.func.coalesce(members.c.members, 0))
             .outerjoin(members, members.c.segment_id == Segment.id).order_by(col(Segment.id)).limit(limit))
    if dealers is not None:
        query = query.where(col(Segment.dealer_id).in_(dealers))
    if after is not None:
        query = query.where(col(Segment.id) > after)
    return [(segment, count) for segment, count in (await session.exec(query)).all()]


async def member_count(session: AsyncSession, segment_id: uuid.UUID) -> int:
    query = select(sa.func.count()).select_from(SegmentMember).where(SegmentMember.segment_id == segment_id)
    return (await session.exec(query)).one()


async def dynamic_segments(session: AsyncSession, dealer_id: str) -> list[Segment]:
    query = select(Segment).where(Segment.dealer_id == dealer_id, Segment.kind == "dynamic")
    return list((await session.exec(query.order_by(col(Segment.id)))).all())


async def memberships_of(session: AsyncSession, customer_id: uuid.UUID) -> set[uuid.UUID]:
    query = select(SegmentMember.segment_id).where(SegmentMember.customer_id == customer_id)
    return set((await session.exec(query)).all())


async def memberships_of_customers(session: AsyncSession, customer_ids: list[uuid.UUID]) -> dict[uuid.UUID, set]:
    query = select(SegmentMember.customer_id, SegmentMember.segment_id).where(
        col(SegmentMember.customer_id).in_(customer_ids))
    memberships: dict[uuid.UUID, set] = {customer_id: set() for customer_id in customer_ids}
    for customer_id, segment_id in (await session.exec(query)).all():
        memberships[customer_id].add(segment_id)
    return memberships


async def members_of(session: AsyncSession, segment_id: uuid.UUID) -> set[uuid.UUID]:
    query = select(SegmentMember.customer_id).where(SegmentMember.segment_id == segment_id)
    return set((await session.exec(query)).all())


async def add_member(session: AsyncSession, segment_id: uuid.UUID, customer_id: uuid.UUID, dealer_id: str) -> bool:
    added = await session.exec(insert(SegmentMember).values(
        segment_id=segment_id, customer_id=customer_id, dealer_id=dealer_id, since=datetime.now(UTC))
        .on_conflict_do_nothing().returning(SegmentMember.customer_id))
    return added.first() is not None


async def add_members(session: AsyncSession, rows: list[tuple[uuid.UUID, uuid.UUID, str]],
                      since: datetime) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(segment, customer, dealer) rows in one statement; answers the (segment, customer) pairs added."""
    if not rows:
        return []
    table = SegmentMember.__table__
    added = await session.exec(insert(table).values(
        [{"segment_id": s, "customer_id": c, "dealer_id": d, "since": since} for s, c, d in rows])
        .on_conflict_do_nothing().returning(table.c.segment_id, table.c.customer_id))
    return [tuple(row) for row in added.all()]


async def remove_members(session: AsyncSession,
                         rows: list[tuple[uuid.UUID, uuid.UUID, str]]) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(segment, customer, dealer) rows in one statement; answers the (segment, customer) pairs removed."""
    if not rows:
        return []
    table = SegmentMember.__table__
    removed = await session.exec(sa.delete(table).where(
        sa.tuple_(table.c.segment_id, table.c.customer_id).in_([(s, c) for s, c, _ in rows]))
        .returning(table.c.segment_id, table.c.customer_id))
    return [tuple(row) for row in removed.all()]


async def remove_member(session: AsyncSession, segment_id: uuid.UUID, customer_id: uuid.UUID) -> bool:
    removed = await session.exec(sa.delete(SegmentMember).where(
        col(SegmentMember.segment_id) == segment_id, col(SegmentMember.customer_id) == customer_id)
        .returning(SegmentMember.customer_id))
    return removed.first() is not None


async def page_of_members(session: AsyncSession, segment_id: uuid.UUID, limit: int,
                          after: uuid.UUID | None) -> list[SegmentMember]:
    query = (select(SegmentMember).where(SegmentMember.segment_id == segment_id)
             .order_by(col(SegmentMember.customer_id)).limit(limit))
    if after is not None:
        query = query.where(col(SegmentMember.customer_id) > after)
    return list((await session.exec(query)).all())


async def delete_segment(session: AsyncSession, segment: Segment) -> None:
    await session.delete(segment)
    await session.flush()
