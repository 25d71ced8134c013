"""One user of the dealer: their roles, disabling and enabling, a password reset to a temporary one.

Every change carries the ETag the page was rendered from as If-Match (when the gateway gave one), so a change
made on a stale page is refused (412) and the page shows the user as they are now, with what went wrong.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from crm_console.domain.admin import DEALER_ROLES
from crm_console.fetch import admin as fetch
from crm_console.gateway import NotFound, Refused
from crm_console.pages import render
from crm_console.routes.admin import may_administer, temporary_password
from crm_console.session import CsrfChecked, ViewerDep

router = APIRouter(prefix="/console/admin/users", include_in_schema=False)
STALE = (412, 428)  # changed meanwhile; or a gateway that now wants If-Match and the page was rendered without
SAVED = ("roles", "disabled", "enabled")


def _user_id(user_id: str) -> str:
    try:
        return str(uuid.UUID(user_id))
    except ValueError as error:
        raise NotFound(user_id) from error


async def _user_page(request: Request, viewer, user_id: str, status_code: int = 200, **values) -> Response:
    user, etag = await fetch.user(request.app.state.gateway, viewer, user_id)
    values = {"saved": None, "stale": False, "errors": {}, "password": None, **values}
    return render(request, "admin_user.html", status_code=status_code, user=user, etag=etag or "",
                  roles=DEALER_ROLES, is_self=user["username"] == viewer.username, tab="users", **values)


async def _change(request: Request, viewer, user_id: str, change: dict, etag: str) -> Response | None:
    """None when the change was made; else the page that says why not."""
    try:
        await fetch.change_user(request.app.state.gateway, viewer, user_id, change, etag or None)
    except Refused as refused:
        if refused.status in STALE:
            return await _user_page(request, viewer, user_id, 409, stale=True)
        return await _user_page(request, viewer, user_id, 422, errors={"change": "admin.user.refused"})
    return None


@router.get("/{user_id}")
async def user_page(request: Request, viewer: ViewerDep, user_id: str, saved: str = "") -> Response:
    may_administer(viewer)
    return await _user_page(request, viewer, _user_id(user_id), saved=saved if saved in SAVED else None)


@router.post("/{user_id}/roles", dependencies=[CsrfChecked])
async def change_roles(request: Request, viewer: ViewerDep, user_id: str, etag: Annotated[str, Form()] = "",
                       roles: Annotated[list[str], Form()] = []) -> Response:  # noqa: B006 (FastAPI copies it)
    may_administer(viewer)
    user_id = _user_id(user_id)
    chosen = sorted({role for role in roles if role in DEALER_ROLES})
    if not chosen:
        return await _user_page(request, viewer, user_id, 422, errors={"roles": "admin.user.roles_required"})
    if refused := await _change(request, viewer, user_id, {"roles": chosen}, etag):
        return refused
    return RedirectResponse(f"/console/admin/users/{user_id}?saved=roles", status_code=303)


@router.get("/{user_id}/disable")
async def confirm_disable(request: Request, viewer: ViewerDep, user_id: str) -> Response:
    may_administer(viewer)
    user_id = _user_id(user_id)
    user, etag = await fetch.user(request.app.state.gateway, viewer, user_id)
    return render(request, "admin_confirm.html", tab="users", title="admin.disable.title",
                  subject=user["display_name"] or user["username"], lines=["admin.disable.what", "admin.disable.undo"],
                  action=f"/console/admin/users/{user_id}/active", fields={"etag": etag or "", "active": "false"},
                  button="admin.disable.button", back=f"/console/admin/users/{user_id}")


@router.post("/{user_id}/active", dependencies=[CsrfChecked])
async def change_active(request: Request, viewer: ViewerDep, user_id: str, etag: Annotated[str, Form()] = "",
                        active: Annotated[str, Form()] = "") -> Response:
    may_administer(viewer)
    user_id = _user_id(user_id)
    enable = active == "true"
    if refused := await _change(request, viewer, user_id, {"active": enable}, etag):
        return refused
    return RedirectResponse(f"/console/admin/users/{user_id}?saved={'enabled' if enable else 'disabled'}",
                            status_code=303)


@router.get("/{user_id}/password")
async def confirm_reset(request: Request, viewer: ViewerDep, user_id: str) -> Response:
    may_administer(viewer)
    user_id = _user_id(user_id)
    user, etag = await fetch.user(request.app.state.gateway, viewer, user_id)
    return render(request, "admin_confirm.html", tab="users", title="admin.reset.title",
                  subject=user["display_name"] or user["username"], lines=["admin.reset.what", "admin.reset.once"],
                  action=f"/console/admin/users/{user_id}/password", fields={"etag": etag or ""},
                  button="admin.reset.button", back=f"/console/admin/users/{user_id}")


@router.post("/{user_id}/password", dependencies=[CsrfChecked])
async def reset_password(request: Request, viewer: ViewerDep, user_id: str,
                         etag: Annotated[str, Form()] = "") -> Response:
    may_administer(viewer)
    user_id = _user_id(user_id)
    password = temporary_password()
    if refused := await _change(request, viewer, user_id, {"password": password}, etag):
        return refused
    # Answered, not redirected: the password is on this page once and nowhere else.
    return await _user_page(request, viewer, user_id, password=password)
