"""Message wordings (CS企划担当): per purpose, channel and language, the dealer's own or care's built-in text;
editing one shows it filled in for care's sample customer (care renders it, as it will when sending) and, for
SMS, how many characters and billed messages it comes to."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from crm_console.domain import care_setup as domain
from crm_console.fetch import care_setup as fetch
from crm_console.gateway import NotFound, Refused
from crm_console.pages import render
from crm_console.routes.care_setup import may_set_up
from crm_console.session import CsrfChecked, ViewerDep

router = APIRouter(prefix="/console/care/templates", include_in_schema=False)
Text = Annotated[str, Form()]


def _wording_key(purpose: str, channel: str, language: str) -> tuple[str, str, str]:
    if purpose not in domain.PURPOSES or channel not in domain.CHANNELS or language not in domain.LANGUAGES:
        raise NotFound(f"{purpose}/{channel}/{language}")
    return purpose, channel, language


def _path(purpose: str, channel: str, language: str) -> str:
    return f"/console/care/templates/{purpose}/{channel}/{language}"


@router.get("")
async def wordings_page(request: Request, viewer: ViewerDep, language: str = "zh-CN") -> Response:
    may_set_up(viewer)
    language = language if language in domain.LANGUAGES else "zh-CN"
    listed = await fetch.wordings(request.app.state.gateway, viewer)
    own = {(w["purpose"], w["channel"]): w for w in listed.value["items"] if w["language"] == language}
    return render(request, "care_templates.html", current="care_setup", wordings=listed, own=own,
                  language=language, purposes=domain.PURPOSES, channels=domain.CHANNELS, languages=domain.LANGUAGES)


def _page(request: Request, key: tuple[str, str, str], shown: dict, draft: dict, version: int,
          status_code: int = 200, errors: dict | None = None, saved: bool = False,
          theirs: dict | None = None) -> Response:
    """`shown`: care's preview of the draft (or of the wording in use); `draft`: the text the form holds."""
    purpose, channel, language = key
    sms = domain.sms_length(shown["rendered_body"]) if channel == "sms" and shown else None
    return render(request, "care_template.html", status_code=status_code, current="care_setup", purpose=purpose,
                  channel=channel, language=language, shown=shown, draft=draft, version=version,
                  errors=errors or {}, saved=saved, theirs=theirs, sms=sms,
                  action=_path(purpose, channel, language))


@router.get("/{purpose}/{channel}/{language}")
async def wording_page(request: Request, viewer: ViewerDep, purpose: str, channel: str, language: str,
                       saved: bool = False) -> Response:
    may_set_up(viewer)
    key = _wording_key(purpose, channel, language)
    in_use = await fetch.preview(request.app.state.gateway, viewer, *key)
    own_id = in_use["provider_template"] if in_use["source"] == "dealer" else None
    draft = {"subject": in_use["subject"], "body": in_use["body"], "provider_template": own_id or ""}
    return _page(request, key, in_use, draft, in_use["version"], saved=saved)


async def _draft_preview(request: Request, viewer, key: tuple[str, str, str], draft: dict, version: int,
                         status_code: int = 200, theirs: dict | None = None) -> Response:
    gateway = request.app.state.gateway
    try:
        shown = await fetch.preview(gateway, viewer, *key, subject=draft["subject"], body=draft["body"])
    except Refused as refused:
        errors = {name: "care_setup.error.template" for name in refused.fields if name in ("subject", "body")}
        return _page(request, key, {}, draft, version, 422, errors or {"body": "care_setup.error.template"},
                     theirs=theirs)
    return _page(request, key, shown, draft, version, status_code, theirs=theirs)


@router.post("/{purpose}/{channel}/{language}/preview", dependencies=[CsrfChecked])
async def preview_draft(request: Request, viewer: ViewerDep, purpose: str, channel: str, language: str,
                        body: Text = "", subject: Text = "", version: Annotated[int, Form()] = 0,
                        provider_template: Text = "") -> Response:
    may_set_up(viewer)
    key = _wording_key(purpose, channel, language)
    draft = {"subject": subject, "body": body.strip(), "provider_template": provider_template}
    return await _draft_preview(request, viewer, key, draft, version)


@router.post("/{purpose}/{channel}/{language}", dependencies=[CsrfChecked])
async def save_wording(request: Request, viewer: ViewerDep, purpose: str, channel: str, language: str,
                       body: Text = "", subject: Text = "", version: Annotated[int, Form()] = 0,
                       provider_template: Text = "") -> Response:
    may_set_up(viewer)
    key = _wording_key(purpose, channel, language)
    draft = {"subject": subject, "body": body.strip(), "provider_template": provider_template}
    if not draft["body"]:
        return _page(request, key, {}, draft, version, 422, {"body": "care_setup.error.body"})
    wording = {"purpose": purpose, "channel": channel, "language": language, "subject": subject,
               "body": draft["body"], "provider_template": provider_template or None}
    try:
        await fetch.save_wording(request.app.state.gateway, viewer, wording, version)
    except Refused as refused:
        if refused.status == 412:  # a colleague saved first: theirs beside the planner's draft, to save over
            theirs = await fetch.preview(request.app.state.gateway, viewer, *key)
            return await _draft_preview(request, viewer, key, draft, theirs["version"], 409, theirs=theirs)
        return await _draft_preview(request, viewer, key, draft, version)
    return RedirectResponse(_path(*key) + "?saved=true", status_code=303)
