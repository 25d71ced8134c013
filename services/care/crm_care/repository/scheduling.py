"""Statements of the scheduler and the sender beyond the due-scan: greetings batches, settling actions, messages."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care.models import actions, contacts, customers, messages
from crm_care.repository import rows, update


async def customers_to_greet(session: AsyncSession, after: uuid.UUID | None, dealer_id: str | None,
                             limit: int) -> list[sa.Row]:
    """Live customers (not erased, not merged away) in id order, a keyset page at a time."""
    query = sa.select(customers).where(customers.c.erased_at.is_(None), customers.c.merged_into.is_(None))
    if after is not None:
        query = query.where(customers.c.customer_id > after)
    if dealer_id is not None:
        query = query.where(customers.c.dealer_id == dealer_id)
    return await rows(session, query.order_by(customers.c.customer_id).limit(limit))


async def settle_action(session: AsyncSession, action_id: uuid.UUID, status: str, outcome: str | None,
                        at: datetime) -> None:
    await update(session, actions, actions.c.id == action_id, status=status, outcome=outcome, processed_at=at)


async def queue_message(session: AsyncSession, **values) -> None:
    await session.exec(sa.insert(messages).values(id=uuid.uuid4(), **values))


async def settle_message(session: AsyncSession, message_id: uuid.UUID, **changes) -> None:
    await update(session, messages, messages.c.id == message_id, **changes)


async def count_contact(session: AsyncSession, message: sa.Row, at: datetime) -> None:
    """A sent message counts towards the customer's cap."""
    await session.exec(sa.insert(contacts).values(message_id=message.id, customer_id=message.customer_id,
                                                  purpose=message.purpose, critical=message.critical, at=at))
