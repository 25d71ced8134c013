"""Statements that keep care's copy of other services' facts: customers, vehicles, consent."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care.models import actions, consents, messages, tasks, vehicles
from crm_care.repository import update


async def stop_contacting(session: AsyncSession, customer_id: uuid.UUID) -> None:
    """An erased customer: pending actions dropped, queued messages blocked and emptied, open tasks cancelled."""
    await update(session, actions, sa.and_(actions.c.customer_id == customer_id, actions.c.status == "pending"),
                 status="dropped", outcome="erased")
    await update(session, messages, sa.and_(messages.c.customer_id == customer_id, messages.c.status == "queued"),
                 status="blocked", block_reason="erased", body=None, subject=None)
    await update(session, tasks, sa.and_(tasks.c.customer_id == customer_id, tasks.c.status == "open"),
                 status="cancelled", notes=None)
    await session.exec(consents.delete().where(consents.c.customer_id == customer_id))


async def move_to_survivor(session: AsyncSession, duplicate: uuid.UUID, survivor: uuid.UUID) -> None:
    for table in (vehicles, tasks, actions, messages):
        await update(session, table, table.c.customer_id == duplicate, customer_id=survivor)


async def record_consent(session: AsyncSession, customer_id: uuid.UUID, purpose: str, channel: str, granted: bool,
                         changed_at: datetime) -> None:
    """The latest change wins, whatever order the events arrive in."""
    statement = insert(consents).values(customer_id=customer_id, purpose=purpose, channel=channel, granted=granted,
                                        changed_at=changed_at)
    await session.exec(statement.on_conflict_do_update(
        index_elements=["customer_id", "purpose", "channel"],
        set_={"granted": statement.excluded.granted, "changed_at": statement.excluded.changed_at},
        where=consents.c.changed_at <= statement.excluded.changed_at))


async def change_vehicle(session: AsyncSession, vehicle_id: uuid.UUID, **changes) -> None:
    await update(session, vehicles, vehicles.c.vehicle_id == vehicle_id, **changes)


async def drop_pending_for_vehicle(session: AsyncSession, vehicle_id: uuid.UUID, why: str) -> None:
    await update(session, actions, sa.and_(actions.c.vehicle_id == vehicle_id, actions.c.status == "pending"),
                 status="dropped", outcome=why)
