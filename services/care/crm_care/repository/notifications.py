"""Statements behind staff notifications: who hears of what, the inbox, and the messages to their channels."""

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care.models import cases, tasks
from crm_care.models.notifications import notification_settings, notifications
from crm_care.repository import one, rows, update, versions

# An SLA missed long ago (say, before this feature was deployed) is no news: only recent ones notify.
LOOKBACK = timedelta(days=1)
# A case is "near its SLA" when a fifth of its first-contact window is left (24 h -> the last 4 h 48 min).
CASE_WARNING_SHARE = 0.2


async def settings_of(session: AsyncSession, user_id: str, dealer_id: str) -> sa.Row | None:
    return await one(session, sa.select(notification_settings).where(
        notification_settings.c.user_id == user_id, notification_settings.c.dealer_id == dealer_id))


def settings_key(user_id: str, dealer_id: str) -> dict:
    return {"user_id": user_id, "dealer_id": dealer_id}


async def save_settings(session: AsyncSession, key: dict, values: dict, read_version: int) -> sa.Row | None:
    """None when another save got there first (see versions.save)."""
    if await versions.save(session, notification_settings, key, values, read_version) is None:
        return None
    return await settings_of(session, key["user_id"], key["dealer_id"])


async def subscribers(session: AsyncSession, dealer_id: str, kind: str) -> list[sa.Row]:
    return await rows(session, sa.select(notification_settings).where(
        notification_settings.c.dealer_id == dealer_id, sa.literal(kind) == sa.any_(notification_settings.c.kinds)))


async def add(session: AsyncSession, values: dict) -> bool:
    """False when the user heard of this subject already."""
    statement = insert(notifications).values(**values).on_conflict_do_nothing(
        constraint="care_notifications_once").returning(notifications.c.id)
    return (await session.exec(statement)).first() is not None


# A hot alert opens a complaint case in the same transaction: that case is where staff act on the alert.
alert_case = (sa.select(cases.c.id)
              .where(notifications.c.kind == "hot_alert", cases.c.alert_id == notifications.c.subject_id)
              .limit(1).scalar_subquery())


async def inbox_page(session: AsyncSession, user_id: str, *, unread: bool,
                     before: tuple[datetime, uuid.UUID] | None, limit: int) -> list[sa.Row]:
    query = sa.select(notifications, alert_case.label("case_id")).where(notifications.c.user_id == user_id)
    if unread:
        query = query.where(notifications.c.read_at.is_(None))
    if before:
        query = query.where(sa.tuple_(notifications.c.created_at, notifications.c.id) < before)
    return await rows(session, query.order_by(notifications.c.created_at.desc(), notifications.c.id.desc())
                      .limit(limit + 1))


async def unread_count(session: AsyncSession, user_id: str) -> int:
    return (await session.exec(sa.select(sa.func.count()).select_from(notifications).where(
        notifications.c.user_id == user_id, notifications.c.read_at.is_(None)))).scalar_one()


async def mark_read(session: AsyncSession, user_id: str, now: datetime,
                    notification_id: uuid.UUID | None = None) -> int:
    where = [notifications.c.user_id == user_id, notifications.c.read_at.is_(None)]
    if notification_id is not None:
        where.append(notifications.c.id == notification_id)
    return await update(session, notifications, sa.and_(*where), read_at=now)


async def owned(session: AsyncSession, user_id: str, notification_id: uuid.UUID) -> sa.Row | None:
    return await one(session, sa.select(notifications, alert_case.label("case_id")).where(
        notifications.c.id == notification_id, notifications.c.user_id == user_id))


async def claim_queued(session: AsyncSession, now: datetime) -> sa.Row | None:
    """One due message, locked so that two replicas never send it twice."""
    return await one(session, sa.select(notifications).where(
        notifications.c.delivery == "queued", notifications.c.next_attempt_at <= now)
        .order_by(notifications.c.next_attempt_at).limit(1).with_for_update(skip_locked=True))


async def settle(session: AsyncSession, notification_id: uuid.UUID, **changes) -> None:
    await update(session, notifications, notifications.c.id == notification_id, **changes)


async def tasks_gone_overdue(session: AsyncSession, now: datetime) -> list[sa.Row]:
    return await rows(session, sa.select(
        tasks.c.id, tasks.c.dealer_id, tasks.c.customer_id, tasks.c.assignee, tasks.c.reason, tasks.c.sla_at)
        .where(tasks.c.status == "open", tasks.c.sla_at < now, tasks.c.sla_at > now - LOOKBACK))


async def cases_near_sla(session: AsyncSession, now: datetime) -> list[sa.Row]:
    """Open, not contacted, and into the last fifth of the first-contact window (or past it, recently)."""
    assignee = (sa.select(tasks.c.assignee).where(tasks.c.case_id == cases.c.id, tasks.c.assignee.is_not(None))
                .order_by(tasks.c.created_at.desc()).limit(1).scalar_subquery())
    return await rows(session, sa.select(
        cases.c.id, cases.c.dealer_id, cases.c.customer_id, cases.c.summary, cases.c.first_contact_due,
        assignee.label("assignee")).where(
        cases.c.state.in_(["open", "in_progress"]), cases.c.first_contacted_at.is_(None),
        sa.text("care_cases.first_contact_due - (care_cases.first_contact_due - care_cases.opened_at) * :share"
                " <= :now").bindparams(share=CASE_WARNING_SHARE, now=now),
        cases.c.first_contact_due > now - LOOKBACK))
