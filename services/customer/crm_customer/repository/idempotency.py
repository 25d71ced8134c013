"""Idempotency keys of keyed writes."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_customer.models import IdempotencyKey

keys_table = IdempotencyKey.__table__


async def claim_key(session: AsyncSession, row: IdempotencyKey) -> IdempotencyKey | None:
    """Insert the key, or return the row already there. A concurrent request holding the same key makes this
    wait until it commits (then its row is returned) or rolls back (then this one claims the key)."""
    claimed = (await session.exec(insert(keys_table).values(**row.model_dump()).on_conflict_do_nothing()
                                  .returning(keys_table.c.key))).first()
    if claimed is not None:
        return None
    query = select(IdempotencyKey).where(IdempotencyKey.dealer_id == row.dealer_id, IdempotencyKey.key == row.key)
    return (await session.exec(query)).one()


async def point_key(session: AsyncSession, dealer_id: str, key: str, resource_id: str, status_code: int) -> None:
    await session.exec(sa.update(IdempotencyKey).where(IdempotencyKey.dealer_id == dealer_id,
                                                       IdempotencyKey.key == key)
                       .values(resource_id=resource_id, status_code=status_code))
