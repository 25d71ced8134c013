"""Statements behind the staff's work: tasks, complaint cases, rescue requests."""

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care.models import cases, rescues, tasks, vehicles
from crm_care.repository import one, rows, update
from crm_kit.pagination import oldest_first


async def task(session: AsyncSession, task_id: uuid.UUID) -> sa.Row | None:
    return await one(session, sa.select(tasks).where(tasks.c.id == task_id))


async def tasks_page(session: AsyncSession, dealer_filter, *, filters: dict, overdue: bool,
                     after: tuple[datetime, uuid.UUID] | None, limit: int) -> list[sa.Row]:
    """The queue in due order; `limit + 1` rows so the caller knows a next page exists."""
    query = sa.select(tasks)
    for name, value in filters.items():
        if value is not None:
            query = query.where(tasks.c[name] == value)
    if overdue:
        query = query.where(tasks.c.sla_at < sa.func.now())
    return await rows(session, oldest_first(query, (tasks.c.due_at, tasks.c.id), after, limit,
                                            dealer_column=tasks.c.dealer_id, dealers=dealer_filter))


async def insert_task(session: AsyncSession, **values) -> None:
    await session.exec(sa.insert(tasks).values(**values))


async def case(session: AsyncSession, case_id: uuid.UUID) -> sa.Row | None:
    return await one(session, sa.select(cases).where(cases.c.id == case_id))


async def case_by_key(session: AsyncSession, dealer_id: str, idempotency_key: str) -> sa.Row | None:
    return await one(session, sa.select(cases).where(cases.c.dealer_id == dealer_id,
                                                     cases.c.idempotency_key == idempotency_key))


async def insert_case(session: AsyncSession, **values) -> bool:
    """False when the hot alert or the Idempotency-Key opened a case already."""
    created = await session.exec(insert(cases).values(**values).on_conflict_do_nothing().returning(cases.c.id))
    return created.first() is not None


async def cases_page(session: AsyncSession, dealer_filter, *, customer_id: uuid.UUID | None, state: str | None,
                     after: tuple[datetime, uuid.UUID] | None, limit: int) -> list[sa.Row]:
    query = sa.select(cases)
    if customer_id:
        query = query.where(cases.c.customer_id == customer_id)
    if state:
        query = query.where(cases.c.state == state)
    return await rows(session, oldest_first(query, (cases.c.opened_at, cases.c.id), after, limit,
                                            dealer_column=cases.c.dealer_id, dealers=dealer_filter))


async def rescue(session: AsyncSession, rescue_id: uuid.UUID) -> sa.Row | None:
    return await one(session, sa.select(rescues).where(rescues.c.id == rescue_id))


async def rescue_id_by_key(session: AsyncSession, dealer_id: str, idempotency_key: str | None) -> uuid.UUID:
    return (await one(session, sa.select(rescues.c.id).where(
        rescues.c.dealer_id == dealer_id, rescues.c.idempotency_key == idempotency_key))).id


async def insert_rescue(session: AsyncSession, **values) -> bool:
    created = await session.exec(insert(rescues).values(**values).on_conflict_do_nothing().returning(rescues.c.id))
    return created.first() is not None


async def rescues_page(session: AsyncSession, dealer_filter, *, customer_id: uuid.UUID | None,
                       status: str | None, after: tuple[datetime, uuid.UUID] | None, limit: int) -> list[sa.Row]:
    query = sa.select(rescues)
    if customer_id:
        query = query.where(rescues.c.customer_id == customer_id)
    if status:
        query = query.where(rescues.c.status == status)
    return await rows(session, oldest_first(query, (rescues.c.requested_at, rescues.c.id), after, limit,
                                            dealer_column=rescues.c.dealer_id, dealers=dealer_filter))


async def change_task(session: AsyncSession, task_id: uuid.UUID, **changes) -> None:
    await update(session, tasks, tasks.c.id == task_id, **changes)


async def change_case(session: AsyncSession, case_id: uuid.UUID, **changes) -> None:
    await update(session, cases, cases.c.id == case_id, **changes)


async def first_contact_made(session: AsyncSession, case_id: uuid.UUID, at: datetime) -> None:
    """Only the first contact counts: a later call leaves the time the customer was first reached."""
    await update(session, cases, sa.and_(cases.c.id == case_id, cases.c.first_contacted_at.is_(None)),
                 first_contacted_at=at)


async def change_rescue(session: AsyncSession, rescue_id: uuid.UUID, **changes) -> None:
    await update(session, rescues, rescues.c.id == rescue_id, **changes)


async def appointment_booked(session: AsyncSession, vehicle_id: uuid.UUID, on: date) -> None:
    await update(session, vehicles, vehicles.c.vehicle_id == vehicle_id, appointment_on=on)
