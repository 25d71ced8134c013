"""Care setup (CS企划担当): the dealer's care plans with the next 30 days they would create, and the
contact policy. Each change is sent with the ETag its form was rendered from; a colleague's newer save is
shown beside the planner's values to re-apply or drop."""

import re

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from crm_console.domain import care_setup as domain
from crm_console.fetch import care_setup as fetch
from crm_console.gateway import Forbidden, NotFound, Refused
from crm_console.pages import render
from crm_console.session import CsrfChecked, ViewerDep
from crm_contracts import permissions as p

router = APIRouter(prefix="/console/care", include_in_schema=False)
POLICY_FIELDS = ("time_zone", "quiet_start", "quiet_end", "cap", "cap_days")
HH_MM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def may_set_up(viewer) -> None:
    if not (viewer.can(p.CARE_READ) and viewer.can(p.CARE_MANAGE)):
        raise Forbidden("care:manage")


def _known_rule(rule: str) -> str:
    if rule not in domain.RULE_ORDER:
        raise NotFound(rule)
    return rule


async def _plans_page(request: Request, viewer, status_code: int = 200, saved: str | None = None,
                      editing: dict | None = None) -> Response:
    """`editing`: the rule whose form comes back with the planner's input and its errors."""
    gateway = request.app.state.gateway
    plans = await fetch.plans(gateway, viewer)
    dry_run = await fetch.dry_run(gateway, viewer)
    rows = domain.dry_run_rows(dry_run.value["actions"]) if dry_run.shown and dry_run.value else []
    return render(request, "care_plans.html", status_code=status_code, current="care_setup",
                  plans=domain.ordered_plans(plans.value["items"]) if plans.shown else [], plans_section=plans,
                  fields=domain.plan_fields, dry_run=dry_run, rows=rows, totals=domain.dry_run_totals(rows),
                  days=fetch.DRY_RUN_DAYS, saved=saved, editing=editing or {}, etag_of=fetch.etag_of)


def _shown(form: FormData, params: dict) -> dict[str, str]:
    """What the planner's form showed (`was.<name>`, in the text `as_text` gives)."""
    return {f.name: str(form["was." + f.name]) for f in domain.plan_fields(params) if "was." + f.name in form}


def _typed(form: FormData, params: dict) -> dict[str, str]:
    return {f.name: domain.submitted_text(f.kind, [str(v) for v in form.getlist(f.name)])
            for f in domain.plan_fields(params)}


@router.get("")
async def plans_page(request: Request, viewer: ViewerDep, saved: str | None = None) -> Response:
    may_set_up(viewer)
    return await _plans_page(request, viewer, saved=saved if saved in domain.RULE_ORDER else None)


@router.post("/plans/{rule}", dependencies=[CsrfChecked])
async def save_plan(request: Request, viewer: ViewerDep, rule: str) -> Response:
    may_set_up(viewer)
    rule = _known_rule(rule)
    form = await request.form()
    gateway = request.app.state.gateway
    now, now_etag = await fetch.plan(gateway, viewer, rule)
    was = _shown(form, now["params"])
    mine = _typed(form, now["params"])
    changed, errors = domain.plan_changes(now["params"], was, mine)
    if errors:
        return await _plans_page(request, viewer, 422, editing={"rule": rule, "mine": mine, "errors": errors})
    if not changed:
        return RedirectResponse(f"/console/care?saved={rule}#rule-{rule}", status_code=303)
    try:
        await fetch.save_plan(gateway, viewer, rule, domain.update_body(changed), str(form.get("etag", "")))
    except Refused as refused:
        if refused.status == 412:
            fields = domain.stale_fields(now["params"], was, mine)
            return render(request, "care_plan_stale.html", status_code=409, current="care_setup", rule=rule,
                          differences=fields, merged=domain.reapplied(fields), now=now, etag=now_etag,
                          kinds={f.name: f for f in domain.plan_fields(now["params"])})
        wrong = {name.removeprefix("params/"): name for name in refused.fields}
        kinds = {f.name: f.kind for f in domain.plan_fields(now["params"])}
        errors = {name: domain.ERROR_BY_KIND.get(kinds.get(name, ""), "care_setup.error.refused") for name in wrong}
        return await _plans_page(request, viewer, 422, editing={"rule": rule, "mine": mine,
                                                                "errors": errors or {"": "care_setup.error.refused"}})
    return RedirectResponse(f"/console/care?saved={rule}#rule-{rule}", status_code=303)


def _policy_errors(mine: dict[str, str]) -> dict[str, str]:
    errors = {name: "care_setup.error.time" for name in ("quiet_start", "quiet_end") if not HH_MM.match(mine[name])}
    for name, top in (("cap", 100), ("cap_days", 90)):
        if not mine[name].isdigit() or not (0 if name == "cap" else 1) <= int(mine[name]) <= top:
            errors[name] = f"care_setup.error.{name}"
    if not mine["time_zone"]:
        errors["time_zone"] = "care_setup.error.time_zone"
    return errors


def _policy_body(mine: dict[str, str]) -> dict:
    return {**mine, "cap": int(mine["cap"]), "cap_days": int(mine["cap_days"])}


@router.get("/policy")
async def policy_page(request: Request, viewer: ViewerDep, saved: bool = False) -> Response:
    may_set_up(viewer)
    policy, etag = await fetch.policy(request.app.state.gateway, viewer)
    return render(request, "care_policy.html", current="care_setup", mine=policy, etag=etag, errors={},
                  saved=saved, theirs=None)


@router.post("/policy", dependencies=[CsrfChecked])
async def save_policy(request: Request, viewer: ViewerDep) -> Response:
    may_set_up(viewer)
    form = await request.form()
    mine = {name: str(form.get(name, "")).strip() for name in POLICY_FIELDS}
    etag = str(form.get("etag", ""))
    errors = _policy_errors(mine)
    if not errors:
        try:
            await fetch.save_policy(request.app.state.gateway, viewer, _policy_body(mine), etag)
            return RedirectResponse("/console/care/policy?saved=true", status_code=303)
        except Refused as refused:
            if refused.status == 412:
                theirs, etag = await fetch.policy(request.app.state.gateway, viewer)
                return render(request, "care_policy.html", status_code=409, current="care_setup", mine=mine,
                              etag=etag, errors={}, saved=False, theirs=theirs)
            errors = {name: f"care_setup.error.{name}" for name in refused.fields if name in POLICY_FIELDS} \
                or {"": "care_setup.error.refused"}
    return render(request, "care_policy.html", status_code=422, current="care_setup", mine=mine, etag=etag,
                  errors=errors, saved=False, theirs=None)
