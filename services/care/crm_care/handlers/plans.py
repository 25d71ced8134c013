"""A dealer's care plans and contact policy, as its manager sets them."""

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care import repository
from crm_care.domain.plans import DEFAULT_PLANS, check_params
from crm_care.models import dealers, plans
from crm_care.models.plans import ContactPolicy, PlanPublic, PlanUpdate
from crm_kit.problems import field_error, invalid


def refuse_bad_plan(rule: str, data: PlanUpdate) -> None:
    if rule not in DEFAULT_PLANS:
        raise invalid(field_error("path", "rule", f"one of {', '.join(DEFAULT_PLANS)}"))
    problems = check_params(rule, {k: v for k, v in data.params.items() if k != "enabled"})
    if "enabled" in data.params:
        problems["enabled"] = "set `enabled` beside `params`"
    if problems:
        raise invalid(*(field_error("body", f"/params/{name}", problem) for name, problem in sorted(problems.items())))


async def update_plan(session: AsyncSession, dealer_id: str, rule: str, data: PlanUpdate) -> PlanPublic:
    """Only what differs from the default is stored, so a changed default reaches every dealer that kept it."""
    refuse_bad_plan(rule, data)
    params = {**data.params, **({"enabled": data.enabled} if data.enabled is not None else {})}
    current = (await repository.dealer_plans(session, dealer_id))[rule]
    merged = {key: value for key, value in {**current, **params}.items() if value != DEFAULT_PLANS[rule].get(key)}
    await repository.upsert(session, plans, ["dealer_id", "rule"],
                            {"dealer_id": dealer_id, "rule": rule, "params": merged, "updated_at": datetime.now(UTC)})
    return PlanPublic(rule=rule, params=(await repository.dealer_plans(session, dealer_id))[rule])


async def contact_policy(session: AsyncSession, dealer_id: str) -> ContactPolicy:
    rules = await repository.contact_rules(session, dealer_id)
    return ContactPolicy(time_zone=rules.time_zone, quiet_start=rules.quiet_start, quiet_end=rules.quiet_end,
                         cap=rules.cap, cap_days=rules.cap_days)


async def set_contact_policy(session: AsyncSession, dealer_id: str, policy: ContactPolicy) -> ContactPolicy:
    await repository.upsert(session, dealers, ["dealer_id"], {"dealer_id": dealer_id, **policy.model_dump()})
    return policy
