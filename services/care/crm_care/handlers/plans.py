"""A dealer's care plans and contact policy, as its manager sets them."""

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care import repository
from crm_care.domain.plans import DEFAULT_PLANS, check_params
from crm_care.models import dealers, plans
from crm_care.models.plans import ContactPolicy, PlanPublic, PlanUpdate
from crm_care.repository import versions
from crm_kit.problems import field_error, invalid, not_found
from crm_kit.versioning import UNSTORED, check_if_match, precondition_failed


def refuse_bad_plan(rule: str, data: PlanUpdate) -> None:
    if rule not in DEFAULT_PLANS:
        raise invalid(field_error("path", "rule", f"one of {', '.join(DEFAULT_PLANS)}"))
    problems = check_params(rule, {k: v for k, v in data.params.items() if k != "enabled"})
    if "enabled" in data.params:
        problems["enabled"] = "set `enabled` beside `params`"
    if problems:
        raise invalid(*(field_error("body", f"/params/{name}", problem) for name, problem in sorted(problems.items())))


async def plan(session: AsyncSession, dealer_id: str, rule: str) -> PlanPublic:
    if rule not in DEFAULT_PLANS:
        raise not_found("plan")
    stored = await versions.versions(session, plans, dealer_id, "rule")
    return PlanPublic(rule=rule, params=(await repository.dealer_plans(session, dealer_id))[rule],
                      version=stored.get(rule, UNSTORED))


async def all_plans(session: AsyncSession, dealer_id: str) -> list[PlanPublic]:
    """Every rule in rule order, each with its version (0: the defaults, never changed by the dealer)."""
    found = await repository.dealer_plans(session, dealer_id)
    stored = await versions.versions(session, plans, dealer_id, "rule")
    return [PlanPublic(rule=rule, params=found[rule], version=stored.get(rule, UNSTORED)) for rule in sorted(found)]


async def update_plan(session: AsyncSession, dealer_id: str, rule: str, data: PlanUpdate,
                      if_match: str | None) -> PlanPublic:
    """Only what differs from the default is stored, so a changed default reaches every dealer that kept it.
    If-Match names the plan's ETag: `"0"` (or `*`) while the dealer kept the defaults."""
    refuse_bad_plan(rule, data)
    key = {"dealer_id": dealer_id, "rule": rule}
    read_version = await versions.current(session, plans, key)
    check_if_match(if_match, read_version)
    params = {**data.params, **({"enabled": data.enabled} if data.enabled is not None else {})}
    current = (await repository.dealer_plans(session, dealer_id))[rule]
    merged = {key: value for key, value in {**current, **params}.items() if value != DEFAULT_PLANS[rule].get(key)}
    saved = await versions.save(session, plans, key, {"params": merged, "updated_at": datetime.now(UTC)},
                                read_version)
    if saved is None:
        raise precondition_failed(read_version + 1)
    return PlanPublic(rule=rule, params=(await repository.dealer_plans(session, dealer_id))[rule], version=saved)


async def contact_policy(session: AsyncSession, dealer_id: str) -> tuple[ContactPolicy, int]:
    """The policy and its version: 0 while the dealer has the defaults."""
    rules = await repository.contact_rules(session, dealer_id)
    version = (await versions.versions(session, dealers, dealer_id, "dealer_id")).get(dealer_id, UNSTORED)
    return ContactPolicy(time_zone=rules.time_zone, quiet_start=rules.quiet_start, quiet_end=rules.quiet_end,
                         cap=rules.cap, cap_days=rules.cap_days), version


async def set_contact_policy(session: AsyncSession, dealer_id: str, policy: ContactPolicy,
                             if_match: str | None) -> int:
    """The new version. If-Match names the ETag GET showed: `"0"` (or `*`) while the defaults hold."""
    key = {"dealer_id": dealer_id}
    read_version = await versions.current(session, dealers, key)
    check_if_match(if_match, read_version)
    saved = await versions.save(session, dealers, key, policy.model_dump(), read_version)
    if saved is None:
        raise precondition_failed(read_version + 1)
    return saved
