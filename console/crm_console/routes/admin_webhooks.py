"""Webhook subscriptions of the dealer's partners: subscribe a URL to events, read each one's delivery log page by
page and each delivery's attempts, pause and resume, send one delivered or given-up event again (or every event
from its time on), unsubscribe. Every change asks to confirm first."""

import contextlib
import uuid
from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from crm_console.domain.admin import delivery_state, grouped_event_types, parse_moment, replayable
from crm_console.fetch import admin_webhooks as fetch
from crm_console.gateway import Forbidden, NotFound, Refused
from crm_console.pages import render
from crm_console.session import CsrfChecked, ViewerDep
from crm_contracts import REGISTRY
from crm_contracts import permissions as p

router = APIRouter(prefix="/console/admin/webhooks", include_in_schema=False)
BASE = "/console/admin/webhooks"


def _may(viewer) -> None:
    if not viewer.can(p.WEBHOOKS_MANAGE) or viewer.dealer is None:
        raise Forbidden("webhooks")


def _subscription_id(subscription_id: str) -> str:
    try:
        return str(uuid.UUID(subscription_id))
    except ValueError as error:
        raise NotFound(subscription_id) from error


async def _list_page(request: Request, viewer, status_code: int = 200, cursor: str | None = None,
                     form: dict | None = None, errors: dict | None = None, created: dict | None = None) -> Response:
    listed = await fetch.subscriptions(request.app.state.gateway, viewer, cursor)
    return render(request, "admin_webhooks.html", status_code=status_code, subscriptions=listed, cursor=cursor,
                  groups=grouped_event_types(REGISTRY), form=form or {"url": "", "event_types": []},
                  errors=errors or {}, created=created, tab="webhooks")


@router.get("")
async def webhooks_page(request: Request, viewer: ViewerDep, cursor: str | None = None) -> Response:
    _may(viewer)
    return await _list_page(request, viewer, cursor=cursor or None)


@router.post("", dependencies=[CsrfChecked])
async def subscribe(request: Request, viewer: ViewerDep, url: Annotated[str, Form()] = "",
                    event_types: Annotated[list[str], Form()] = []) -> Response:  # noqa: B006 (FastAPI copies it)
    _may(viewer)
    form = {"url": url.strip(), "event_types": [t for t in event_types if t in REGISTRY]}
    errors = {}
    parts = urlsplit(form["url"])
    if parts.scheme not in ("http", "https") or not parts.hostname:
        errors["url"] = "admin.webhooks.error.url"
    if not form["event_types"]:
        errors["event_types"] = "admin.webhooks.error.event_types"
    if errors:
        return await _list_page(request, viewer, 422, form=form, errors=errors)
    try:
        created = await fetch.subscribe(request.app.state.gateway, viewer, form["url"], form["event_types"])
    except Refused as refused:
        field = "url" if "url" in refused.fields else "event_types"
        return await _list_page(request, viewer, 422, form=form, errors={field: f"admin.webhooks.refused.{field}"})
    return await _list_page(request, viewer, 201, created=created)


@router.get("/{subscription_id}")
async def subscription_page(request: Request, viewer: ViewerDep, subscription_id: str, cursor: str | None = None,
                            queued: int | None = None) -> Response:
    _may(viewer)
    subscription_id = _subscription_id(subscription_id)
    gateway = request.app.state.gateway
    subscription = await fetch.subscription(gateway, viewer, subscription_id)
    log = await fetch.deliveries(gateway, viewer, subscription_id, cursor or None)
    return render(request, "admin_webhook.html", subscription=subscription, log=log, cursor=cursor, queued=queued,
                  state=delivery_state, replayable=replayable, errors={}, tab="webhooks")


@router.get("/{subscription_id}/replay")
async def confirm_replay(request: Request, viewer: ViewerDep, subscription_id: str, since: str = "",
                         event_type: str = "") -> Response:
    _may(viewer)
    subscription_id = _subscription_id(subscription_id)
    moment = parse_moment(since)
    if moment is None:
        raise NotFound(since)
    await fetch.subscription(request.app.state.gateway, viewer, subscription_id)  # someone else's: 404
    return render(request, "admin_confirm.html", tab="webhooks", title="admin.replay.title",
                  subject=event_type if event_type in REGISTRY else "", subject_term="admin.event",
                  lines=["admin.replay.what", "admin.replay.order"], moment_line=moment.isoformat(),
                  action=f"{BASE}/{subscription_id}/replay", fields={"since": moment.isoformat()},
                  button="admin.replay.button", back=f"{BASE}/{subscription_id}")


@router.post("/{subscription_id}/replay", dependencies=[CsrfChecked])
async def replay(request: Request, viewer: ViewerDep, subscription_id: str,
                 since: Annotated[str, Form()] = "") -> Response:
    _may(viewer)
    subscription_id = _subscription_id(subscription_id)
    moment = parse_moment(since)
    gateway = request.app.state.gateway
    try:
        if moment is None:
            raise Refused(422)
        queued = await fetch.replay(gateway, viewer, subscription_id, moment)
    except Refused:
        subscription = await fetch.subscription(gateway, viewer, subscription_id)
        log = await fetch.deliveries(gateway, viewer, subscription_id, None)
        return render(request, "admin_webhook.html", status_code=422, subscription=subscription, log=log,
                      cursor=None, queued=None, state=delivery_state, replayable=replayable,
                      errors={"replay": "admin.replay.refused"}, tab="webhooks")
    return RedirectResponse(f"{BASE}/{subscription_id}?{urlencode({'queued': queued})}", status_code=303)


@router.get("/{subscription_id}/delete")
async def confirm_unsubscribe(request: Request, viewer: ViewerDep, subscription_id: str) -> Response:
    _may(viewer)
    subscription_id = _subscription_id(subscription_id)
    subscription = await fetch.subscription(request.app.state.gateway, viewer, subscription_id)
    return render(request, "admin_confirm.html", tab="webhooks", title="admin.unsubscribe.title",
                  subject=subscription["url"], lines=["admin.unsubscribe.what", "admin.unsubscribe.undo"],
                  action=f"{BASE}/{subscription_id}/delete", fields={}, button="admin.unsubscribe.button",
                  back=f"{BASE}/{subscription_id}")


@router.post("/{subscription_id}/delete", dependencies=[CsrfChecked])
async def unsubscribe(request: Request, viewer: ViewerDep, subscription_id: str) -> Response:
    _may(viewer)
    await fetch.unsubscribe(request.app.state.gateway, viewer, _subscription_id(subscription_id))
    return RedirectResponse(BASE, status_code=303)


# Pause and resume: what a partner expects is every event, in order, once it is back; nothing is skipped.
@router.get("/{subscription_id}/{action}")
async def confirm_pause_or_resume(request: Request, viewer: ViewerDep, subscription_id: str, action: str
                                  ) -> Response:
    _may(viewer)
    if action not in ("pause", "resume"):
        raise NotFound(action)
    subscription_id = _subscription_id(subscription_id)
    subscription = await fetch.subscription(request.app.state.gateway, viewer, subscription_id)
    return render(request, "admin_confirm.html", tab="webhooks", title=f"admin.{action}.title",
                  subject=subscription["url"], lines=[f"admin.{action}.what"],
                  action=f"{BASE}/{subscription_id}/{action}", fields={}, button=f"admin.{action}.button",
                  back=f"{BASE}/{subscription_id}")


@router.post("/{subscription_id}/{action}", dependencies=[CsrfChecked])
async def pause_or_resume(request: Request, viewer: ViewerDep, subscription_id: str, action: str) -> Response:
    _may(viewer)
    if action not in ("pause", "resume"):
        raise NotFound(action)
    subscription_id = _subscription_id(subscription_id)
    change = fetch.pause if action == "pause" else fetch.resume
    with contextlib.suppress(Refused):  # disabled by the gateway meanwhile: the page it returns to says so
        await change(request.app.state.gateway, viewer, subscription_id)
    return RedirectResponse(f"{BASE}/{subscription_id}", status_code=303)


@router.get("/{subscription_id}/deliveries/{delivery_id}")
async def delivery_page(request: Request, viewer: ViewerDep, subscription_id: str, delivery_id: int,
                        event_type: str = "", resent: int = 0) -> Response:
    """Each attempt at one delivery: when, the receiver's status, the error, how long it took."""
    _may(viewer)
    subscription_id = _subscription_id(subscription_id)
    gateway = request.app.state.gateway
    subscription = await fetch.subscription(gateway, viewer, subscription_id)
    tried = await fetch.attempts(gateway, viewer, subscription_id, delivery_id)
    return render(request, "admin_delivery.html", subscription=subscription, delivery_id=delivery_id,
                  event_type=event_type if event_type in REGISTRY else "", attempts=tried, resent=bool(resent),
                  tab="webhooks")


@router.get("/{subscription_id}/deliveries/{delivery_id}/replay")
async def confirm_replay_one(request: Request, viewer: ViewerDep, subscription_id: str, delivery_id: int,
                             event_type: str = "") -> Response:
    _may(viewer)
    subscription_id = _subscription_id(subscription_id)
    await fetch.subscription(request.app.state.gateway, viewer, subscription_id)  # someone else's: 404
    return render(request, "admin_confirm.html", tab="webhooks", title="admin.replay_one.title",
                  subject=event_type if event_type in REGISTRY else "", subject_term="admin.event",
                  lines=["admin.replay_one.what", "admin.replay_one.duplicate"],
                  action=f"{BASE}/{subscription_id}/deliveries/{delivery_id}/replay", fields={},
                  button="admin.replay_one.button", back=f"{BASE}/{subscription_id}")


@router.post("/{subscription_id}/deliveries/{delivery_id}/replay", dependencies=[CsrfChecked])
async def replay_one(request: Request, viewer: ViewerDep, subscription_id: str, delivery_id: int) -> Response:
    _may(viewer)
    subscription_id = _subscription_id(subscription_id)
    gateway = request.app.state.gateway
    try:
        again = await fetch.replay_one(gateway, viewer, subscription_id, delivery_id)
    except Refused:
        subscription = await fetch.subscription(gateway, viewer, subscription_id)
        log = await fetch.deliveries(gateway, viewer, subscription_id, None)
        return render(request, "admin_webhook.html", status_code=422, subscription=subscription, log=log,
                      cursor=None, queued=None, state=delivery_state, replayable=replayable,
                      errors={"replay": "admin.replay.refused"}, tab="webhooks")
    query = urlencode({"event_type": again["event_type"], "resent": 1})
    return RedirectResponse(f"{BASE}/{subscription_id}/deliveries/{again['id']}?{query}", status_code=303)
