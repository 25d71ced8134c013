"""/api/v1/care/plans, dry-run and the dealer's contact policy."""

from datetime import UTC, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema, field_validator

from crm_care import repository
from crm_care.api.common import PREFIX, write_dealer
from crm_care.domain.plans import DEFAULT_PLANS, check_params
from crm_care.handlers import scheduler
from crm_care.models import dealers, plans
from crm_contracts import permissions
from crm_kit.auth import Principal, require
from crm_kit.db import SessionDep
from crm_kit.problems import field_error, invalid

router = APIRouter(prefix=f"{PREFIX}", tags=["care plans"])
DealerQuery = Annotated[str | None, Query(description="Needed when you work for more than one dealer")]
# A wall-clock time in the dealer's own time zone. JSON Schema's `time` format demands a UTC offset,
# which a quiet hour has not, so it is documented and written as "HH:MM".
LocalTime = Annotated[
    time,
    PlainSerializer(lambda value: value.strftime("%H:%M"), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$", "examples": ["21:00"]}),
]


class PlanUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = None
    params: dict[str, Any] = Field(default_factory=dict, description="Rule parameters, e.g. days_before")


class ContactPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    time_zone: str = "Asia/Shanghai"
    quiet_start: LocalTime = time(21, 0)
    quiet_end: LocalTime = time(9, 0)
    cap: int = Field(2, ge=0, le=100, description="Non-critical contacts allowed per window")
    cap_days: int = Field(7, ge=1, le=90)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError("not an IANA time zone") from error
        return value


@router.get("/plans")
async def list_plans(session: SessionDep, dealer_id: DealerQuery = None,
                     principal: Principal = require(permissions.CARE_READ)) -> dict[str, dict[str, Any]]:
    dealer = write_dealer(principal, dealer_id, "query")
    async with session.begin():
        return await repository.dealer_plans(session, dealer)


@router.put("/plans/{rule}")
async def update_plan(rule: str, data: PlanUpdate, session: SessionDep, dealer_id: DealerQuery = None,
                      principal: Principal = require(permissions.CARE_MANAGE)) -> dict[str, Any]:
    dealer = write_dealer(principal, dealer_id, "query")
    if rule not in DEFAULT_PLANS:
        raise invalid(field_error("path", "rule", f"one of {', '.join(DEFAULT_PLANS)}"))
    problems = check_params(rule, {k: v for k, v in data.params.items() if k != "enabled"})
    if "enabled" in data.params:
        problems["enabled"] = "set `enabled` beside `params`"
    if problems:
        raise invalid(*(field_error("body", f"/params/{name}", problem) for name, problem in sorted(problems.items())))
    params = {**data.params, **({"enabled": data.enabled} if data.enabled is not None else {})}
    async with session.begin():
        current = (await repository.dealer_plans(session, dealer))[rule]
        merged = {key: value for key, value in {**current, **params}.items() if value != DEFAULT_PLANS[rule].get(key)}
        await repository.upsert(session, plans, ["dealer_id", "rule"],
                                {"dealer_id": dealer, "rule": rule, "params": merged,
                                 "updated_at": datetime.now(UTC)})
        return (await repository.dealer_plans(session, dealer))[rule]


@router.get("/plans/dry-run")
async def dry_run(request: Request, dealer_id: DealerQuery = None,
                  days: Annotated[int, Query(ge=1, le=366)] = 30,
                  principal: Principal = require(permissions.CARE_READ)) -> dict[str, Any]:
    """What the plans would do over the next `days` days; nothing is stored or sent."""
    dealer = write_dealer(principal, dealer_id, "query")
    today = scheduler.local_today(datetime.now(UTC))
    result = await scheduler.scan(request.app.state.sessions, today, grace_days=0, ahead_days=days,
                                  dealer_id=dealer, store=False)
    actions = sorted(result.occasions, key=lambda o: (o.due_on, o.rule))
    return {"dealer_id": dealer, "from": today, "days": days, "vehicles": result.vehicles,
            "customers": result.customers,
            "actions": [{"rule": o.rule, "action": o.action, "due_on": o.due_on, "customer_id": o.customer_id,
                         "vehicle_id": o.vehicle_id, "critical": o.critical, "variables": o.variables}
                        for o in actions]}


@router.get("/contact-policy/{dealer_id}", response_model=ContactPolicy)
async def get_contact_policy(dealer_id: str, session: SessionDep,
                             principal: Principal = require(permissions.CARE_READ)) -> ContactPolicy:
    dealer = write_dealer(principal, dealer_id, "path")
    async with session.begin():
        rules = await repository.contact_rules(session, dealer)
    return ContactPolicy(time_zone=rules.time_zone, quiet_start=rules.quiet_start, quiet_end=rules.quiet_end,
                         cap=rules.cap, cap_days=rules.cap_days)


@router.put("/contact-policy/{dealer_id}", response_model=ContactPolicy)
async def set_contact_policy(dealer_id: str, data: ContactPolicy, session: SessionDep,
                             principal: Principal = require(permissions.CARE_MANAGE)) -> ContactPolicy:
    """Quiet hours in the dealer's time zone (start == end: none) and the cap across care, surveys and marketing."""
    dealer = write_dealer(principal, dealer_id, "path")
    async with session.begin():
        await repository.upsert(session, dealers, ["dealer_id"], {"dealer_id": dealer, **data.model_dump()})
    return data
