"""/api/v1/care/plans, dry-run and the dealer's contact policy."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from crm_care import repository
from crm_care.api.common import BAD_CURSOR, NOT_FOUND, PREFIX, position_after, write_dealer
from crm_care.handlers import plans as handlers
from crm_care.handlers import scheduler
from crm_care.models.plans import ContactPolicy, DryRunPublic, PlannedAction, PlanPublic, PlanUpdate
from crm_contracts import permissions
from crm_kit.auth import Principal, require
from crm_kit.db import SessionDep
from crm_kit.pagination import Cursor, Limit, Page, encode_cursor

router = APIRouter(prefix=f"{PREFIX}", tags=["care plans"])
DealerQuery = Annotated[str | None, Query(description="Needed when you work for more than one dealer")]


@router.get("/plans", responses=BAD_CURSOR)
async def list_plans(session: SessionDep, dealer_id: DealerQuery = None,
                     principal: Principal = require(permissions.CARE_READ),
                     limit: Limit = 50, cursor: Cursor = None) -> Page[PlanPublic]:
    """Every rule with the dealer's parameters over the defaults, in rule order."""
    dealer = write_dealer(principal, dealer_id, "query")
    after = position_after(cursor, str)
    async with session.begin():
        found = await repository.dealer_plans(session, dealer)
    rules = sorted(rule for rule in found if after is None or rule > after[0])
    items = [PlanPublic(rule=rule, params=found[rule]) for rule in rules[:limit]]
    return Page(items=items, next_cursor=encode_cursor(items[-1].rule) if len(rules) > limit else None)


@router.put("/plans/{rule}")
async def update_plan(rule: str, data: PlanUpdate, session: SessionDep, dealer_id: DealerQuery = None,
                      principal: Principal = require(permissions.CARE_MANAGE)) -> PlanPublic:
    dealer = write_dealer(principal, dealer_id, "query")
    async with session.begin():
        return await handlers.update_plan(session, dealer, rule, data)


@router.get("/plans/dry-run")
async def dry_run(request: Request, dealer_id: DealerQuery = None,
                  days: Annotated[int, Query(ge=1, le=366)] = 30,
                  principal: Principal = require(permissions.CARE_READ)) -> DryRunPublic:
    """What the plans would do over the next `days` days; nothing is stored or sent."""
    dealer = write_dealer(principal, dealer_id, "query")
    today = scheduler.local_today(datetime.now(UTC))
    result = await scheduler.scan(request.app.state.sessions, today, grace_days=0, ahead_days=days,
                                  dealer_id=dealer, store=False)
    actions = sorted(result.occasions, key=lambda o: (o.due_on, o.rule))
    return DryRunPublic(dealer_id=dealer, from_=today, days=days, vehicles=result.vehicles,
                        customers=result.customers,
                        actions=[PlannedAction(rule=o.rule, action=o.action, due_on=o.due_on,
                                               customer_id=o.customer_id, vehicle_id=o.vehicle_id,
                                               critical=o.critical, variables=o.variables) for o in actions])


@router.get("/contact-policy/{dealer_id}", responses=NOT_FOUND)
async def get_contact_policy(dealer_id: str, session: SessionDep,
                             principal: Principal = require(permissions.CARE_READ)) -> ContactPolicy:
    dealer = write_dealer(principal, dealer_id, "path")
    async with session.begin():
        return await handlers.contact_policy(session, dealer)


@router.put("/contact-policy/{dealer_id}", responses=NOT_FOUND)
async def set_contact_policy(dealer_id: str, data: ContactPolicy, session: SessionDep,
                             principal: Principal = require(permissions.CARE_MANAGE)) -> ContactPolicy:
    """Quiet hours in the dealer's time zone (start == end: none) and the cap across care, surveys and marketing."""
    dealer = write_dealer(principal, dealer_id, "path")
    async with session.begin():
        return await handlers.set_contact_policy(session, dealer, data)
