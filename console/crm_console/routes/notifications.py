"""Staff notifications: the live badge (server-sent events), the list with links to the work, and each
user's choice of e-mail or WeChat Work. Care keeps them; the console only asks the gateway."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from crm_console.gateway import Gateway, GatewayError, NotFound, Refused
from crm_console.pages import render
from crm_console.session import CsrfChecked, Viewer, ViewerDep

router = APIRouter(prefix="/console/notifications", include_in_schema=False)

API = "/api/v1/care/notifications"
KINDS = ("hot_alert", "case_sla", "task_overdue")
CHANNELS = ("none", "email", "wecom")
PAGE = 25
# How often the stream asks care for the unread count: "at once" for a person, light for the gateway.
POLL_SECONDS = 2.0
# Saved meanwhile from another tab or device; or a form rendered before settings carried an ETag.
STALE = (412, 428)


def _id(notification_id: str) -> str:
    try:
        return str(uuid.UUID(notification_id))
    except ValueError as error:
        raise NotFound(notification_id) from error


def destination(note: dict) -> str:
    """Where a notification leads: the task, the case, or the case a hot alert opened (else the alert queue)."""
    if note["kind"] == "task_overdue":
        return f"/console/tasks/{note['subject_id']}"
    if note["kind"] == "case_sla":
        return f"/console/cases/{note['subject_id']}"
    return f"/console/cases/{note['case_id']}" if note.get("case_id") else "/console/surveys"


async def unread_changes(request: Request, gateway: Gateway, viewer: Viewer) -> AsyncIterator[str]:
    """One event now and one whenever the count changes; the browser's EventSource reconnects after an end."""
    shown: int | None = None
    yield "retry: 5000\n\n"
    while not await request.is_disconnected():
        try:
            unread = (await gateway.get(f"{API}/unread-count", viewer.token))["unread"]
        except GatewayError:  # signed out or care away: end, and the reconnect signs in again or waits
            return
        if unread != shown:
            shown = unread
            yield f"event: unread\ndata: {unread}\n\n"
        await asyncio.sleep(POLL_SECONDS)


@router.get("/stream")
async def stream(request: Request, viewer: ViewerDep) -> Response:
    return StreamingResponse(unread_changes(request, request.app.state.gateway, viewer),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@router.get("")
async def notifications_page(request: Request, viewer: ViewerDep, unread: bool = False,
                             cursor: str | None = None) -> Response:
    found = await request.app.state.gateway.get(API, viewer.token, unread=str(unread).lower(), limit=PAGE,
                                                cursor=cursor)
    return render(request, "notifications.html", notes=found["items"], next_cursor=found.get("next_cursor"),
                  unread=unread)


@router.get("/{notification_id}/open")
async def open_notification(request: Request, viewer: ViewerDep, notification_id: str) -> Response:
    """The link in the list and in the e-mail or WeChat Work message: read now, then the work itself."""
    note = await request.app.state.gateway.post(f"{API}/{_id(notification_id)}/read", viewer.token, {})
    return RedirectResponse(destination(note), status_code=303)


@router.post("/{notification_id}/read", dependencies=[CsrfChecked])
async def mark_read(request: Request, viewer: ViewerDep, notification_id: str) -> Response:
    await request.app.state.gateway.post(f"{API}/{_id(notification_id)}/read", viewer.token, {})
    return RedirectResponse("/console/notifications", status_code=303)


@router.post("/read-all", dependencies=[CsrfChecked])
async def mark_all_read(request: Request, viewer: ViewerDep) -> Response:
    await request.app.state.gateway.post(f"{API}/read-all", viewer.token, {})
    return RedirectResponse("/console/notifications", status_code=303)


def _dealer(viewer: Viewer) -> dict:
    return {"dealer_id": viewer.dealer} if viewer.dealer else {}


async def _settings(gateway: Gateway, viewer: Viewer) -> tuple[dict, str]:
    """The settings and the ETag the form sends back as If-Match (`"0"`: never saved)."""
    chosen, etag = await gateway.get_tagged(f"{API}/settings?{urlencode(_dealer(viewer))}", viewer.token)
    return chosen, etag or '"0"'


def _settings_form(request: Request, chosen: dict, etag: str, status_code: int = 200, errors: dict | None = None,
                   saved: bool = False, stale: bool = False) -> Response:
    return render(request, "notifications_settings.html", status_code=status_code, chosen=chosen, etag=etag,
                  kinds=KINDS, channels=CHANNELS, errors=errors or {}, saved=saved, stale=stale)


@router.get("/settings")
async def settings_page(request: Request, viewer: ViewerDep, saved: bool = False) -> Response:
    chosen, etag = await _settings(request.app.state.gateway, viewer)
    return _settings_form(request, chosen, etag, saved=saved)


@router.post("/settings", dependencies=[CsrfChecked])
async def save_settings(request: Request, viewer: ViewerDep, channel: Annotated[str, Form()] = "none",
                        address: Annotated[str, Form()] = "", etag: Annotated[str, Form()] = "",
                        kinds: Annotated[list[str] | None, Form()] = None) -> Response:
    chosen = {**_dealer(viewer), "channel": channel if channel in CHANNELS else "none",
              "address": address.strip() or None, "kinds": [k for k in (kinds or []) if k in KINDS]}
    if chosen["channel"] != "none" and not chosen["address"]:
        return _settings_form(request, chosen, etag, 422, errors={"address": "notifications.error.address"})
    gateway = request.app.state.gateway
    try:
        await gateway.put(f"{API}/settings", viewer.token, chosen, if_match=etag)
    except Refused as refused:
        if refused.status in STALE:
            now, now_etag = await _settings(gateway, viewer)
            return _settings_form(request, now, now_etag, 409, stale=True)
        refusal = {"address": f"notifications.error.{chosen['channel']}"}
        return _settings_form(request, chosen, etag, 422, errors=refusal)
    return RedirectResponse("/console/notifications/settings?saved=true", status_code=303)
