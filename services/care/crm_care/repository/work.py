"""Statements behind the staff's work: tasks, complaint cases, rescue requests."""

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care.models import actions, case_actions, cases, rescues, tasks, vehicles
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


FOLLOW_UP_RULES = ("delivery_follow_up", "service_follow_up")


def _invitation_of_call(action_id: uuid.UUID):
    """The survey invitation of the visit a 回访 call follows up, when the survey service sent one already."""
    call, invitation = actions.alias("call"), actions.alias("invitation")
    return (sa.select(sa.cast(invitation.c.variables["invitation_id"].astext, UUID(as_uuid=True)))
            .where(call.c.id == action_id, call.c.rule.in_(FOLLOW_UP_RULES),
                   invitation.c.rule == "survey_invitation",
                   invitation.c.variables["visit_id"].astext == call.c.variables["visit_id"].astext)
            .order_by(invitation.c.created_at.desc()).limit(1).scalar_subquery())


async def insert_task(session: AsyncSession, **values) -> None:
    if values.get("action_id") and "invitation_id" not in values:
        values["invitation_id"] = _invitation_of_call(values["action_id"])
    await session.exec(sa.insert(tasks).values(**values))


async def link_invitation(session: AsyncSession, invitation_id: uuid.UUID, visit_id: uuid.UUID) -> None:
    """An invitation arriving after its visit's 回访 calls were queued: those calls read it out too."""
    calls = sa.select(actions.c.id).where(actions.c.rule.in_(FOLLOW_UP_RULES),
                                          actions.c.variables["visit_id"].astext == str(visit_id))
    await update(session, tasks, sa.and_(tasks.c.action_id.in_(calls), tasks.c.invitation_id.is_(None)),
                 invitation_id=invitation_id)


async def case(session: AsyncSession, case_id: uuid.UUID) -> sa.Row | None:
    return await one(session, sa.select(cases).where(cases.c.id == case_id))


async def case_by_alert(session: AsyncSession, alert_id: uuid.UUID) -> sa.Row | None:
    return await one(session, sa.select(cases).where(cases.c.alert_id == alert_id))


async def insert_case(session: AsyncSession, **values) -> bool:
    """False when the hot alert opened a case already."""
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


async def record_case_action(session: AsyncSession, *, case_id: uuid.UUID, dealer_id: str, action: str,
                             actor: str | None, at: datetime, note: str | None = None) -> None:
    await session.exec(sa.insert(case_actions).values(id=uuid.uuid4(), case_id=case_id, dealer_id=dealer_id,
                                                      action=action, actor=actor, note=note, at=at))


async def case_log(session: AsyncSession, case_id: uuid.UUID) -> list[sa.Row]:
    return await rows(session, sa.select(case_actions).where(case_actions.c.case_id == case_id)
                      .order_by(case_actions.c.at, case_actions.c.id))


async def rescue(session: AsyncSession, rescue_id: uuid.UUID) -> sa.Row | None:
    return await one(session, sa.select(rescues).where(rescues.c.id == rescue_id))


async def insert_rescue(session: AsyncSession, **values) -> None:
    await session.exec(sa.insert(rescues).values(**values))


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
