"""/api/v1/care/plans, dry-run and the dealer's contact policy."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from crm_care.api.common import BAD_CURSOR, FORBIDDEN, NOT_FOUND, PREFIX, position_after, write_dealer
from crm_care.handlers import plans as handlers
from crm_care.handlers import scheduler
from crm_care.models.plans import RULE_UPDATES, ContactPolicy, DryRunPublic, PlannedAction, PlanPublic, PlanUpdate
from crm_contracts import permissions
from crm_kit.auth import Principal, require
from crm_kit.db import SessionDep
from crm_kit.pagination import Cursor, Limit, Page, encode_cursor
from crm_kit.responses import problems
from crm_kit.versioning import IfMatch, tag

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
        found = await handlers.all_plans(session, dealer)
    following = [plan for plan in found if after is None or plan.rule > after[0]]
    items = following[:limit]
    return Page(items=items, next_cursor=encode_cursor(items[-1].rule) if len(following) > limit else None)


def _plan_update_route(rule: str) -> None:
    """One operation per rule, each documenting its own parameters; the URL is the same /plans/{rule}."""
    body = RULE_UPDATES[rule]

    async def update_plan(data: body, session: SessionDep, response: Response,  # type: ignore[valid-type]
                          dealer_id: DealerQuery = None, if_match: IfMatch = None,
                          principal: Principal = require(permissions.CARE_MANAGE)) -> PlanPublic:
        dealer = write_dealer(principal, dealer_id, "query")
        update = PlanUpdate(enabled=data.enabled, params=data.params.model_dump(exclude_unset=True))
        async with session.begin():
            saved = await handlers.update_plan(session, dealer, rule, update, if_match)
        tag(response, saved.version)
        return saved

    router.put(f"/plans/{rule}", responses={**FORBIDDEN, **problems(412, 428)}, name=f"update_plan_{rule}",
               summary=f"Change the {rule} plan",
               description="If-Match names the plan's ETag (its `version`, quoted): `\"0\"` (or `*`) while the "
                           "dealer kept the defaults.")(update_plan)


for _rule in RULE_UPDATES:
    _plan_update_route(_rule)


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


@router.get("/plans/{rule}", responses={**FORBIDDEN, **NOT_FOUND})
async def get_plan(rule: str, session: SessionDep, response: Response, dealer_id: DealerQuery = None,
                   principal: Principal = require(permissions.CARE_READ)) -> PlanPublic:
    """One rule with the dealer's parameters, and the ETag a change names (`"0"`: the defaults)."""
    dealer = write_dealer(principal, dealer_id, "query")
    async with session.begin():
        found = await handlers.plan(session, dealer, rule)
    tag(response, found.version)
    return found


@router.get("/contact-policy/{dealer_id}", responses=NOT_FOUND)
async def get_contact_policy(dealer_id: str, session: SessionDep, response: Response,
                             principal: Principal = require(permissions.CARE_READ)) -> ContactPolicy:
    """With the ETag a change names: `"0"` while the dealer has the defaults."""
    dealer = write_dealer(principal, dealer_id, "path")
    async with session.begin():
        policy, version = await handlers.contact_policy(session, dealer)
    tag(response, version)
    return policy


@router.put("/contact-policy/{dealer_id}", responses={**NOT_FOUND, **problems(412, 428)})
async def set_contact_policy(dealer_id: str, data: ContactPolicy, session: SessionDep, response: Response,
                             if_match: IfMatch = None,
                             principal: Principal = require(permissions.CARE_MANAGE)) -> ContactPolicy:
    """Quiet hours in the dealer's time zone (start == end: none) and the cap across care, surveys and marketing.
    If-Match names the ETag GET showed: `"0"` (or `*`) while the defaults hold."""
    dealer = write_dealer(principal, dealer_id, "path")
    async with session.begin():
        version = await handlers.set_contact_policy(session, dealer, data, if_match)
    tag(response, version)
    return data
