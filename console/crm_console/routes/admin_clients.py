"""API clients of partners (the carmaker's HQ, insurers, roadside assistance). A dealer administrator sees the
clients that reach their dealer; opening one is for an administrator of every dealer (the gateway refuses others),
and its secret is shown once, on the answer."""

import re
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from crm_console.domain.admin import PERMISSION_ORDER, grouped_event_types
from crm_console.fetch import admin as fetch
from crm_console.gateway import Forbidden, NotFound, Refused
from crm_console.pages import render
from crm_console.session import CsrfChecked, ViewerDep
from crm_contracts import REGISTRY
from crm_contracts import permissions as p
from crm_contracts.permissions import ALL_DEALERS

router = APIRouter(prefix="/console/admin/clients", include_in_schema=False)
CLIENT_ID = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# What a partner may be granted, in the order the form lists them; `admin` is never a partner's.
GRANTABLE = tuple(permission for permission in PERMISSION_ORDER if permission != p.ADMIN)


def _may(viewer) -> None:
    if not viewer.can(p.ADMIN):
        raise Forbidden("admin")


def _network(viewer) -> bool:
    return viewer.dealers == [ALL_DEALERS]


async def _page(request: Request, viewer, status_code: int = 200, cursor: str | None = None,
                form: dict | None = None, errors: dict | None = None, created: dict | None = None,
                rotated: dict | None = None, notice: str | None = None) -> Response:
    listed = await fetch.clients(request.app.state.gateway, viewer, cursor)
    blank = {"client_id": "", "name": "", "dealers": "", "scope": [], "event_types": [], "contact_email": ""}
    return render(request, "admin_clients.html", status_code=status_code, clients=listed, cursor=cursor,
                  may_create=_network(viewer), grantable=GRANTABLE, groups=grouped_event_types(REGISTRY),
                  form=form or blank, errors=errors or {}, created=created, rotated=rotated, notice=notice,
                  tab="clients")


@router.get("")
async def clients_page(request: Request, viewer: ViewerDep, cursor: str | None = None) -> Response:
    _may(viewer)
    return await _page(request, viewer, cursor=cursor or None)


@router.post("", dependencies=[CsrfChecked])
async def create_client(request: Request, viewer: ViewerDep, client_id: Annotated[str, Form()] = "",
                        name: Annotated[str, Form()] = "", dealers: Annotated[str, Form()] = "",
                        contact_email: Annotated[str, Form()] = "",
                        scope: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies it)
                        event_types: Annotated[list[str], Form()] = []) -> Response:  # noqa: B006
    _may(viewer)
    if not _network(viewer):
        raise Forbidden("admin")
    form = {"client_id": client_id.strip().lower(), "name": name.strip(), "contact_email": contact_email.strip(),
            "dealers": dealers.strip(), "scope": [s for s in scope if s in GRANTABLE],
            "event_types": [t for t in event_types if t in REGISTRY]}
    dealer_ids = sorted({d.strip() for d in re.split(r"[,，\s]+", form["dealers"]) if d.strip()})
    errors = {}
    if not CLIENT_ID.fullmatch(form["client_id"]):
        errors["client_id"] = "admin.clients.error.client_id"
    if not form["name"]:
        errors["name"] = "admin.clients.error.name"
    if not dealer_ids:
        errors["dealers"] = "admin.clients.error.dealers"
    if form["contact_email"] and not EMAIL.fullmatch(form["contact_email"]):
        errors["contact_email"] = "admin.clients.error.contact_email"
    if errors:
        return await _page(request, viewer, 422, form=form, errors=errors)
    body = {"client_id": form["client_id"], "name": form["name"], "dealers": dealer_ids, "scope": form["scope"],
            "event_types": form["event_types"], "contact_email": form["contact_email"] or None}
    try:
        created = await fetch.create_client(request.app.state.gateway, viewer, body)
    except Refused as refused:
        if refused.status == 409:
            return await _page(request, viewer, 422, form=form, errors={"client_id": "admin.clients.error.taken"})
        field = "dealers" if "dealers" in refused.fields else "client_id"
        return await _page(request, viewer, 422, form=form, errors={field: f"admin.clients.error.{field}"})
    return await _page(request, viewer, 201, created=created)


# Disabling, enabling and rotating are the network administrator's, as creating is; each asks to confirm first.
ACTIONS = ("disable", "enable", "rotate")


def _action(viewer, client_id: str, action: str) -> None:
    _may(viewer)
    if not _network(viewer):
        raise Forbidden("admin")
    if action not in ACTIONS or not CLIENT_ID.fullmatch(client_id):
        raise NotFound(client_id)


@router.get("/{client_id}/{action}")
async def confirm_client_action(request: Request, viewer: ViewerDep, client_id: str, action: str) -> Response:
    _action(viewer, client_id, action)
    _, etag = await fetch.client(request.app.state.gateway, viewer, client_id)  # an unknown client: 404
    return render(request, "admin_confirm.html", tab="clients", title=f"admin.clients.{action}.title",
                  subject=client_id, lines=[f"admin.clients.{action}.what"],
                  action=f"/console/admin/clients/{client_id}/{action}", fields={"etag": etag or ""},
                  button=f"admin.clients.{action}.button", back="/console/admin/clients")


@router.post("/{client_id}/{action}", dependencies=[CsrfChecked])
async def client_action(request: Request, viewer: ViewerDep, client_id: str, action: str,
                        etag: Annotated[str, Form()] = "") -> Response:
    _action(viewer, client_id, action)
    gateway = request.app.state.gateway
    if action == "rotate":
        return await _page(request, viewer, rotated=await fetch.rotate_client_secret(gateway, viewer, client_id))
    try:
        await fetch.set_client_active(gateway, viewer, client_id, action == "enable", etag or None)
    except Refused as refused:
        if refused.status not in (412, 428):
            raise
        # Someone changed the client since the confirmation was shown: say so rather than overwrite.
        return await _page(request, viewer, 409, notice="admin.clients.stale")
    return RedirectResponse("/console/admin/clients", status_code=303)
