"""Every query of the care service (nothing else touches the session)."""

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care.domain.plans import DEFAULT_PLANS, CustomerView, Occasion, VehicleView, plan_params
from crm_care.domain.policy import ContactRules
from crm_care.domain.reminders import Odometer
from crm_care.models import (
    actions,
    cases,
    consents,
    contacts,
    customers,
    dealers,
    messages,
    plans,
    tasks,
    templates,
    vehicles,
)


async def upsert(session: AsyncSession, table: sa.Table, keys: list[str], values: dict[str, Any]) -> None:
    """Insert or update only the given columns: events may arrive for rows not seen yet, or again."""
    statement = insert(table).values(**values)
    changed = {k: statement.excluded[k] for k in values if k not in keys}
    await session.exec(statement.on_conflict_do_update(index_elements=keys, set_=changed) if changed
                       else statement.on_conflict_do_nothing())


async def update(session: AsyncSession, table: sa.Table, where, **values) -> int:
    return (await session.exec(table.update().where(where).values(**values))).rowcount


async def one(session: AsyncSession, query) -> sa.Row | None:
    return (await session.exec(query)).first()


async def rows(session: AsyncSession, query) -> list[sa.Row]:
    return list((await session.exec(query)).all())


def vehicle_view(row) -> VehicleView:
    first = Odometer(row.first_km, row.first_read_on) if row.first_km is not None else None
    last = Odometer(row.last_km, row.last_read_on) if row.last_km is not None else None
    return VehicleView(vehicle_id=row.vehicle_id, customer_id=row.customer_id, dealer_id=row.dealer_id,
                       delivery_date=row.delivery_date, registration_date=row.registration_date,
                       warranty_end=row.warranty_end, insurance_expiry=row.insurance_expiry, first_odometer=first,
                       last_odometer=last, first_service_done=row.first_service_done,
                       last_service_on=row.last_service_on, last_service_km=row.last_service_km)


def customer_view(row) -> CustomerView:
    return CustomerView(customer_id=row.customer_id, dealer_id=row.dealer_id, birthday=row.birthday,
                        lunar_birthday=row.lunar_birthday, lunar_birthday_md=row.lunar_birthday_md,
                        erased=row.erased_at is not None)


async def plans_by_dealer(session: AsyncSession) -> dict[str, dict[str, dict[str, Any]]]:
    """Every dealer's own plan, and the default under "": the due-scan applies each to its vehicles."""
    dealers_with_plans = (await session.exec(sa.select(plans.c.dealer_id).distinct())).scalars().all()
    return {"": await dealer_plans(session, ""), **{d: await dealer_plans(session, d) for d in dealers_with_plans}}


async def get_vehicle(session: AsyncSession, vehicle_id: uuid.UUID) -> sa.Row | None:
    return await one(session, sa.select(vehicles).where(vehicles.c.vehicle_id == vehicle_id))


async def get_customer(session: AsyncSession, customer_id: uuid.UUID) -> sa.Row | None:
    return await one(session, sa.select(customers).where(customers.c.customer_id == customer_id))


async def dealer_plans(session: AsyncSession, dealer_id: str) -> dict[str, dict[str, Any]]:
    overrides = dict((await session.exec(
        sa.select(plans.c.rule, plans.c.params).where(plans.c.dealer_id == dealer_id))).all())
    return {rule: plan_params(rule, overrides.get(rule)) for rule in DEFAULT_PLANS}


async def contact_rules(session: AsyncSession, dealer_id: str) -> ContactRules:
    row = await one(session, sa.select(dealers).where(dealers.c.dealer_id == dealer_id))
    if row is None:
        return ContactRules()
    return ContactRules(quiet_start=row.quiet_start, quiet_end=row.quiet_end, cap=row.cap, cap_days=row.cap_days,
                        time_zone=row.time_zone)


STORE_ACTIONS = sa.text("""
    INSERT INTO care_actions (id, key, rule, action, dealer_id, customer_id, vehicle_id, purpose, critical,
                              variables, due_at)
    SELECT gen_random_uuid(), key, rule, action, dealer_id, customer_id, vehicle_id, purpose, critical,
           variables::jsonb, due_at
    FROM unnest(CAST(:keys AS text[]), CAST(:rules AS text[]), CAST(:actions AS text[]),
                CAST(:dealers AS text[]), CAST(:customers AS uuid[]), CAST(:vehicles AS uuid[]),
                CAST(:purposes AS text[]), CAST(:criticals AS boolean[]), CAST(:variables AS text[]),
                CAST(:due AS timestamptz[]))
         AS given(key, rule, action, dealer_id, customer_id, vehicle_id, purpose, critical, variables, due_at)
    ON CONFLICT (key) DO NOTHING
    RETURNING id
""")


async def store_occasions(session: AsyncSession, occasions: list[Occasion], due_at: dict[str, datetime]) -> int:
    """Insert due actions; an occasion already stored (same key) is left as it is.

    One statement over arrays whatever the count: the due-scan stores hundreds of thousands a day.
    """
    if not occasions:
        return 0
    result = await session.exec(STORE_ACTIONS.bindparams(
        keys=[o.key for o in occasions], rules=[o.rule for o in occasions],
        actions=[o.action for o in occasions], dealers=[o.dealer_id for o in occasions],
        customers=[o.customer_id for o in occasions], vehicles=[o.vehicle_id for o in occasions],
        purposes=[o.purpose for o in occasions], criticals=[o.critical for o in occasions],
        variables=[json.dumps(o.variables, ensure_ascii=False) for o in occasions],
        due=[due_at[o.key] for o in occasions]))
    return len(result.all())


async def claim_due_actions(session: AsyncSession, now: datetime, limit: int) -> list[sa.Row]:
    return await rows(session, sa.select(actions).where(actions.c.status == "pending", actions.c.due_at <= now)
                      .order_by(actions.c.due_at).limit(limit).with_for_update(skip_locked=True))


async def claim_queued_messages(session: AsyncSession, now: datetime, limit: int) -> list[sa.Row]:
    return await rows(session, sa.select(messages).where(messages.c.status == "queued",
                                                         messages.c.next_attempt_at <= now)
                      .order_by(messages.c.next_attempt_at).limit(limit).with_for_update(skip_locked=True))


async def consented_channels(session: AsyncSession, customer_id: uuid.UUID, purpose: str) -> set[str]:
    found = await session.exec(sa.select(consents.c.channel).where(
        consents.c.customer_id == customer_id, consents.c.purpose == purpose, consents.c.granted.is_(True)))
    return set(found.scalars().all())


async def recent_contacts(session: AsyncSession, customer_id: uuid.UUID, since: datetime) -> int:
    found = await session.exec(sa.select(sa.func.count()).select_from(contacts).where(
        contacts.c.customer_id == customer_id, contacts.c.at >= since))
    return found.scalar_one()


async def dealer_template(session: AsyncSession, dealer_id: str, purpose: str, channel: str,
                          language: str) -> sa.Row | None:
    return await one(session, sa.select(templates).where(
        templates.c.dealer_id == dealer_id, templates.c.purpose == purpose, templates.c.channel == channel,
        templates.c.language == language))


async def overdue_tasks(session: AsyncSession, now: datetime) -> list[sa.Row]:
    return await rows(session, sa.select(tasks.c.dealer_id, tasks.c.role, sa.func.count()).where(
        tasks.c.status == "open", tasks.c.sla_at < now).group_by(tasks.c.dealer_id, tasks.c.role))


async def suppress_service_reminders(session: AsyncSession, vehicle_id: uuid.UUID, why: str) -> None:
    """An appointment booked or a service done makes the vehicle's pending service reminders moot."""
    await update(session, actions, sa.and_(actions.c.vehicle_id == vehicle_id, actions.c.status == "pending",
                                           actions.c.rule.in_(["first_service_due", "maintenance_due"])),
                 status="suppressed", outcome=why)


async def escalate_uncontacted_cases(session: AsyncSession, now: datetime) -> int:
    """First contact missed: the case goes one level up, once (staff escalate further by hand)."""
    return await update(session, cases, sa.and_(
        cases.c.state == "open", cases.c.first_contacted_at.is_(None), cases.c.first_contact_due < now,
        cases.c.escalation_level == 0), escalation_level=1)


async def actions_due(session: AsyncSession, now: datetime) -> int:
    return (await session.exec(sa.select(sa.func.count()).select_from(actions).where(
        actions.c.status == "pending", actions.c.due_at <= now))).scalar_one()


def since(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)

