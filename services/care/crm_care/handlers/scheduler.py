"""The scheduler: a due-scan that stores occasions as actions, and a dispatcher that carries them out.

Both are safe to run on every replica at once and to kill at any point: the scan's inserts are
keyed (rule × customer/vehicle × occasion) so a second scan adds nothing; the dispatcher claims
actions with FOR UPDATE SKIP LOCKED and turns each into its task or message in the same
transaction that marks it done.
"""

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care import repository
from crm_care.domain import calendar
from crm_care.domain.plans import Occasion, ScanWindow, customer_occasions, still_relevant
from crm_care.domain.scan_bounds import vehicle_bounds
from crm_care.handlers.common import WORKDAY_START, create_task
from crm_care.repository import due_scan, scheduling
from crm_kit.db import Sessions

TASK_ROLES = {"delivery_follow_up": "cs_survey", "service_follow_up": "cs_survey", "win_back": "cr_activity",
              "first_service_lost": "cr_activity"}
TASK_PRIORITY = {"first_service_lost": "high", "win_back": "normal"}


@dataclass
class DealerContext:
    plans: dict[str, dict[str, Any]]
    time_zone: str


@dataclass
class ScanResult:
    vehicles: int = 0
    customers: int = 0
    stored: int = 0
    occasions: list[Occasion] = field(default_factory=list)


def due_at(day: date, time_zone: str) -> datetime:
    return datetime.combine(day, WORKDAY_START, tzinfo=ZoneInfo(time_zone)).astimezone(UTC)


async def _context(session: AsyncSession, cache: dict[str, DealerContext], dealer_id: str) -> DealerContext:
    if dealer_id not in cache:
        rules = await repository.contact_rules(session, dealer_id)
        cache[dealer_id] = DealerContext(await repository.dealer_plans(session, dealer_id), rules.time_zone)
    return cache[dealer_id]


async def scan(sessions: Sessions, today: date, *, grace_days: int = 7, ahead_days: int = 1,
               batch_size: int = 5000, dealer_id: str | None = None, store: bool = True,
               workers: int = 2) -> ScanResult:
    """Store what falls due in each rule's window (up to `grace_days` back after a downtime).

    Vehicles are scanned by the database in set-based statements (`repository.due_scan`), `workers` slices
    of the table side by side: the rules in Python cost far more than the database needs. Customers'
    greetings go through Python in batches.
    `store=False` is the dry run: the occasions are returned instead of stored.
    """
    window = ScanWindow(today, grace_days=grace_days, ahead_days=ahead_days)
    async with sessions() as session:
        plans = await repository.plans_by_dealer(session)
    bounds = vehicle_bounds(list(plans.values()), window)
    result = ScanResult()
    if store:
        async def scan_slice(id_range) -> tuple[int, int]:
            async with sessions() as session, session.begin():
                return await due_scan.store_due(session, plans, window, bounds, id_range)

        # a statement that writes runs on one core: slices of the key space, side by side, use them all
        for looked_at, stored in await asyncio.gather(*map(scan_slice, due_scan.key_slices(workers))):
            result.vehicles += looked_at
            result.stored += stored
    else:
        async with sessions() as session:
            result.vehicles, result.occasions = await due_scan.due_occasions(session, plans, window, bounds,
                                                                             dealer_id)
    await _greetings(sessions, window, result, batch_size, dealer_id, store)
    return result


async def _greetings(sessions: Sessions, window: ScanWindow, result: ScanResult, batch_size: int,
                     dealer_id: str | None, store: bool) -> None:
    """Birthdays and festivals, customer by customer in keyset-paged batches."""
    cache: dict[str, DealerContext] = {}
    after = None
    while True:
        async with sessions() as session, session.begin():
            batch = await scheduling.customers_to_greet(session, after, dealer_id, batch_size)
            if not batch:
                return
            after = batch[-1].customer_id
            found: list[Occasion] = []
            when: dict[str, datetime] = {}
            for row in batch:
                context = await _context(session, cache, row.dealer_id)
                for occasion in customer_occasions(repository.customer_view(row), context.plans, window):
                    found.append(occasion)
                    when[occasion.key] = due_at(occasion.due_on, context.time_zone)
            result.customers += len(batch)
            if store:
                result.stored += await repository.store_occasions(session, found, when)
            else:
                result.occasions += found


async def dispatch_due(sessions: Sessions, now: datetime, limit: int = 200) -> int:
    """Carry out the actions due by `now`; returns how many were claimed."""
    async with sessions() as session, session.begin():
        claimed = await repository.claim_due_actions(session, now, limit)
        for action in claimed:
            status, outcome = await _carry_out(session, action, now)
            await scheduling.settle_action(session, action.id, status, outcome, now)
    return len(claimed)


async def _carry_out(session: AsyncSession, action: sa.Row, now: datetime) -> tuple[str, str | None]:
    customer = await repository.get_customer(session, action.customer_id)
    if customer is not None and customer.erased_at is not None:
        return "dropped", "erased"
    vehicle = await repository.get_vehicle(session, action.vehicle_id) if action.vehicle_id else None
    view = repository.vehicle_view(vehicle) if vehicle else None
    appointment = vehicle.appointment_on if vehicle else None
    if action.vehicle_id and not still_relevant(action.rule, action.variables, view, appointment,
                                                action.created_at.date()):
        return "suppressed", "moot"
    if action.action == "task":
        rules = await repository.contact_rules(session, action.dealer_id)
        local_day = calendar.next_workday(action.due_at.astimezone(ZoneInfo(rules.time_zone)).date())
        task_due = max(action.due_at, due_at(local_day, rules.time_zone))
        await create_task(session, dealer_id=action.dealer_id, customer_id=action.customer_id, kind="call",
                          role=TASK_ROLES.get(action.rule, "cr_activity"), reason=action.rule,
                          priority=TASK_PRIORITY.get(action.rule, "normal"), due_at=task_due,
                          vehicle_id=action.vehicle_id, action_id=action.id)
        return "done", "task"
    await scheduling.queue_message(
        session, action_id=action.id, dealer_id=action.dealer_id, customer_id=action.customer_id,
        purpose=action.purpose, rule=action.rule, critical=action.critical, variables=action.variables,
        next_attempt_at=now, created_at=now)
    return "done", "message"


def local_today(now: datetime, time_zone: str = "Asia/Shanghai") -> date:
    return now.astimezone(ZoneInfo(time_zone)).date()

