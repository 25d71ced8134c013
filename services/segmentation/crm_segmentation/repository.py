"""Every query of the segmentation service."""

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_segmentation.models import Profile


async def get_profile(session: AsyncSession, customer_id: uuid.UUID) -> Profile | None:
    return await session.get(Profile, customer_id)


async def upsert_profile(session: AsyncSession, profile: Profile) -> None:
    values = profile.model_dump()
    statement = insert(Profile).values(**values)
    await session.exec(statement.on_conflict_do_update(
        index_elements=[Profile.customer_id],
        set_={k: statement.excluded[k] for k in values if k != "customer_id"}))


async def list_profiles(session: AsyncSession, dealers: frozenset[str] | None, limit: int,
                        after: uuid.UUID | None) -> list[Profile]:
    query = select(Profile).order_by(col(Profile.customer_id)).limit(limit)
    if dealers is not None:
        query = query.where(col(Profile.dealer_id).in_(dealers))
    if after is not None:
        query = query.where(col(Profile.customer_id) > after)
    return list((await session.exec(query)).all())
