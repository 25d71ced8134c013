"""The survey screen: SSI/CSI index, NPS and trend, weaknesses (CS弱项查找), open hot alerts, network ranking."""

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from crm_console.domain import surveys as shape
from crm_console.fetch.surveys import (
    follow_up_candidates,
    invitation_with_template,
    open_alert_case,
    record_phone_follow_up,
    save_and_publish,
    surveys,
    template_versions,
    templates,
)
from crm_console.gateway import Forbidden, NotFound, Refused
from crm_console.i18n import Translator
from crm_console.pages import render
from crm_console.session import CsrfChecked, ViewerDep, language
from crm_contracts import permissions as p

router = APIRouter(prefix="/console/surveys", include_in_schema=False)
KIND = "^(ssi|csi)$"


def _allowed(viewer) -> None:
    if not viewer.can(p.SURVEYS_READ):
        raise Forbidden("surveys:read")


def _trend_headers(t: Translator) -> list[str]:
    return [t(f"surveys.col.{key}") for key in ("month", "index", "nps", "responses", "response_rate")]


@router.get("")
async def survey_page(request: Request, viewer: ViewerDep, kind: str = Query("csi", pattern=KIND)) -> Response:
    _allowed(viewer)
    t = Translator(language(request))
    parts = await surveys(request.app.state.gateway, viewer, kind)
    overview = parts["overview"].value if parts["overview"].shown else None
    chart = (shape.index_line(t("surveys.trend_title", kind=t(f"surveys.kind.{kind}")), overview["trend"],
                              t("surveys.index_axis"), t("surveys.month_axis"))
             if overview and overview["trend"] else None)
    now = datetime.now(UTC)
    items = (parts["alerts"].value or {"items": []})["items"]
    linked = shape.cases_by_alert(items, parts["cases"].value or [])
    alerts = [{**alert, "case": linked.get(alert["id"]), "age": shape.alert_age_hours(alert["raised_at"], now),
               "overdue": shape.alert_overdue(alert["raised_at"], now)}
              for alert in items]
    return render(request, "surveys.html", kind=kind, parts=parts, overview=overview, chart=chart,
                  trend_headers=_trend_headers(t), trend_rows=shape.trend_rows(overview["trend"]) if overview else [],
                  alerts=alerts, can_open_case=viewer.can(p.CARE_WORK) and parts["cases"].shown,
                  index_text=shape.index_text, nps_text=shape.nps_text)


@router.get("/trend-{kind}.csv")
async def trend_csv(request: Request, viewer: ViewerDep, kind: str) -> Response:
    _allowed(viewer)
    if kind not in ("ssi", "csi"):
        raise NotFound(kind)
    overview = (await surveys(request.app.state.gateway, viewer, kind))["overview"]
    if not overview.shown or overview.value is None:
        raise NotFound(kind)
    text = shape.csv_text(_trend_headers(Translator(language(request))), shape.trend_rows(overview.value["trend"]))
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{kind}-trend.csv"'})


@router.post("/alerts/{alert_id}/case", dependencies=[CsrfChecked])
async def open_case(request: Request, viewer: ViewerDep, alert_id: uuid.UUID) -> Response:
    if not viewer.can(p.CARE_WORK):
        raise Forbidden("care:work")
    case = await open_alert_case(request.app.state.gateway, viewer, str(alert_id))
    if case is None:
        raise NotFound(alert_id)
    return RedirectResponse("/console/surveys", status_code=303)


def _may_manage(viewer) -> None:
    if not viewer.can(p.SURVEYS_MANAGE):
        raise Forbidden("surveys:manage")


@router.get("/follow-ups")
async def follow_ups(request: Request, viewer: ViewerDep, recorded: bool = False) -> Response:
    _may_manage(viewer)
    candidates = await follow_up_candidates(request.app.state.gateway, viewer)
    return render(request, "survey_follow_ups.html", candidates=candidates, recorded=recorded)


async def _phone_page(request: Request, viewer, invitation_id: uuid.UUID, form: dict[str, list[str]],
                      errors: dict[str, str], status_code: int = 200) -> Response:
    invitation, template = await invitation_with_template(request.app.state.gateway, viewer, str(invitation_id))
    questions = shape.phone_questions(template["definition"], language(request))
    return render(request, "survey_phone.html", status_code=status_code, invitation=invitation,
                  version=template, questions=questions, form=form, errors=errors)


@router.get("/invitations/{invitation_id}/phone")
async def phone_form(request: Request, viewer: ViewerDep, invitation_id: uuid.UUID) -> Response:
    _may_manage(viewer)
    return await _phone_page(request, viewer, invitation_id, {}, {})


@router.post("/invitations/{invitation_id}/phone", dependencies=[CsrfChecked])
async def phone_record(request: Request, viewer: ViewerDep, invitation_id: uuid.UUID) -> Response:
    _may_manage(viewer)
    submitted = await request.form()
    form = {key: submitted.getlist(key) for key in submitted if key != "csrf_token"}
    _, template = await invitation_with_template(request.app.state.gateway, viewer, str(invitation_id))
    answers = shape.phone_answers(shape.phone_questions(template["definition"], language(request)), form)
    try:
        await record_phone_follow_up(request.app.state.gateway, viewer, str(invitation_id), answers)
    except Refused as refused:  # the API names each answer it refuses: shown beside its question
        errors = {name.removeprefix("answers/"): detail for name, detail in refused.fields.items()} or {
            "": refused.problem.get("detail", "")}
        return await _phone_page(request, viewer, invitation_id, form, errors, 422)
    return RedirectResponse("/console/surveys/follow-ups?recorded=true", status_code=303)


@router.get("/templates")
async def template_list(request: Request, viewer: ViewerDep) -> Response:
    _may_manage(viewer)
    return render(request, "survey_templates.html", listed=await templates(request.app.state.gateway, viewer))


async def _editor(request: Request, viewer, template_id: uuid.UUID, status_code: int = 200, **values) -> Response:
    versions = await template_versions(request.app.state.gateway, viewer, str(template_id))
    current = versions[-1]
    values.setdefault("definition", current["definition"])
    values.setdefault("stamp", shape.definition_stamp(current))
    for shown in ("conflict", "preview", "refused", "published"):
        values.setdefault(shown, None)
    return render(request, "survey_template.html", status_code=status_code, versions=versions, newest=current,
                  kinds=shape.QUESTION_KINDS, errors=values.pop("errors", {}), **values)


@router.get("/templates/{template_id}")
async def template_editor(request: Request, viewer: ViewerDep, template_id: uuid.UUID,
                          published: int | None = None) -> Response:
    _may_manage(viewer)
    return await _editor(request, viewer, template_id, published=published)


@router.post("/templates/{template_id}", dependencies=[CsrfChecked])
async def template_change(request: Request, viewer: ViewerDep, template_id: uuid.UUID) -> Response:
    """preview: the questions as customers will read them; publish: only onto the version the editor started
    from, else the colleague's version is shown beside this change to re-apply or drop."""
    _may_manage(viewer)
    form = {key: str(value) for key, value in (await request.form()).items()}
    versions = await template_versions(request.app.state.gateway, viewer, str(template_id))
    current = versions[-1]
    definition, errors = shape.edited_definition(current["definition"], form)
    if errors:
        return await _editor(request, viewer, template_id, 422, definition=definition, errors=errors,
                             stamp=form.get("stamp", ""))
    if form.get("action") == "preview":
        return await _editor(request, viewer, template_id, definition=definition, stamp=form.get("stamp", ""),
                             preview=shape.phone_questions(definition, language(request)))
    if form.get("stamp") != shape.definition_stamp(current):
        return await _editor(request, viewer, template_id, 409, definition=definition, conflict=True,
                             stamp=shape.definition_stamp(current))
    try:
        published = await save_and_publish(request.app.state.gateway, viewer, str(template_id), definition, current)
    except Refused as refused:
        if refused.status in (412, 428):  # a colleague saved between the check above and this change
            return await _editor(request, viewer, template_id, 409, definition=definition, conflict=True)
        return await _editor(request, viewer, template_id, 422, definition=definition, refused=True,
                             stamp=form.get("stamp", ""))
    return RedirectResponse(f"/console/surveys/templates/{template_id}?published={published['version']}",
                            status_code=303)
