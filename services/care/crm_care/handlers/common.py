"""What several use cases share: staging care events, creating staff tasks, due times in dealer time."""

import uuid
from datetime import UTC, date, datetime, time
from functools import partial
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care import repository
from crm_care.domain.cases import task_sla
from crm_care.repository import work
from crm_contracts.events.care import CareTaskCreated
from crm_kit import outbox
from crm_kit.auth import Principal, check_dealer
from crm_kit.problems import not_found

SERVICE = "care"
WORKDAY_START = time(9, 0)


# What a use case calls to say what happened: staged with its change, subject the customer
stage_event = partial(outbox.stage_event, service=SERVICE)


async def local_morning(session: AsyncSession, dealer_id: str, day: date) -> datetime:
    """09:00 in the dealer's time zone on `day`: when a dated reminder or call becomes due."""
    rules = await repository.contact_rules(session, dealer_id)
    return datetime.combine(day, WORKDAY_START, tzinfo=ZoneInfo(rules.time_zone)).astimezone(UTC)


async def dealer_today(session: AsyncSession, dealer_id: str) -> date:
    """Today in the dealer's time zone: what an event's fact date is measured against."""
    rules = await repository.contact_rules(session, dealer_id)
    return datetime.now(UTC).astimezone(ZoneInfo(rules.time_zone)).date()


async def create_task(session: AsyncSession, *, dealer_id: str, customer_id: uuid.UUID, kind: str, role: str,
                      reason: str, priority: str, due_at: datetime, vehicle_id: uuid.UUID | None = None,
                      action_id: uuid.UUID | None = None, case_id: uuid.UUID | None = None,
                      rescue_id: uuid.UUID | None = None, notes: str | None = None,
                      task_id: uuid.UUID | None = None) -> uuid.UUID:
    task_id = task_id or uuid.uuid4()
    now = datetime.now(UTC)
    await work.insert_task(
        session, id=task_id, dealer_id=dealer_id, customer_id=customer_id, vehicle_id=vehicle_id, kind=kind,
        role=role, reason=reason, priority=priority, due_at=due_at, sla_at=max(due_at, task_sla(now, priority)),
        action_id=action_id, case_id=case_id, rescue_id=rescue_id, notes=notes, created_at=now)
    await stage_event(session, CareTaskCreated(task_id=task_id, customer_id=customer_id, dealer_id=dealer_id, kind=kind,
                                           role=role, priority=priority, due_at=due_at), customer_id, dealer_id)
    return task_id


def visible(principal: Principal, row: sa.Row | None, what: str) -> sa.Row:
    """Another dealer's record answers 404, as if it did not exist."""
    if row is None:
        raise not_found(what)
    check_dealer(principal, row.dealer_id, what)
    return row
