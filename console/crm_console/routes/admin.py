"""Administration (dealer administrator): the dealer's users page by page, a new user with a temporary password,
and what each role may do. One user's changes are in admin_users, API clients and webhooks in their own modules."""

import re
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from crm_console.domain.admin import DEALER_ROLES, in_reading_order
from crm_console.fetch import admin as fetch
from crm_console.gateway import Forbidden, Refused
from crm_console.pages import render
from crm_console.session import CsrfChecked, ViewerDep
from crm_contracts import permissions as p

router = APIRouter(prefix="/console/admin", include_in_schema=False)
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")


def may_administer(viewer) -> None:
    """A dealer's users are managed in that dealer; a network user picks one first."""
    if not viewer.can(p.ADMIN) or viewer.dealer is None:
        raise Forbidden("admin")


def temporary_password() -> str:
    """Shown once on the answer and never again: the user must replace it at their next sign-in."""
    return secrets.token_urlsafe(12)


async def _page(request: Request, viewer, status_code: int = 200, form: dict | None = None,
                errors: dict | None = None, created: dict | None = None, password: str | None = None,
                cursor: str | None = None) -> Response:
    listed = await fetch.users(request.app.state.gateway, viewer, cursor)
    return render(request, "admin.html", status_code=status_code, users=listed, roles=DEALER_ROLES,
                  form=form or {"username": "", "display_name": "", "role": DEALER_ROLES[0]},
                  errors=errors or {}, created=created, password=password, cursor=cursor, tab="users")


@router.get("")
async def admin_page(request: Request, viewer: ViewerDep, cursor: str | None = None) -> Response:
    if viewer.can(p.ADMIN) and viewer.dealer is None:  # a network administrator: partners are theirs to open
        return RedirectResponse("/console/admin/clients", status_code=303)
    may_administer(viewer)
    return await _page(request, viewer, cursor=cursor or None)


@router.post("/users", dependencies=[CsrfChecked])
async def create_user(request: Request, viewer: ViewerDep, username: Annotated[str, Form()] = "",
                      display_name: Annotated[str, Form()] = "", role: Annotated[str, Form()] = "") -> Response:
    may_administer(viewer)
    form = {"username": username.strip().lower(), "display_name": display_name.strip(), "role": role}
    errors = {}
    if not USERNAME.fullmatch(form["username"]):
        errors["username"] = "admin.error.username"
    if role not in DEALER_ROLES:
        errors["role"] = "admin.error.role"
    if errors:
        return await _page(request, viewer, 422, form, errors)
    password = temporary_password()
    try:
        created = await fetch.create_user(request.app.state.gateway, viewer, form["username"], form["display_name"],
                                          role, password)
    except Refused as refused:
        key = "admin.error.username_taken" if refused.status == 409 else "admin.error.refused"
        return await _page(request, viewer, 422, form, {"username": key})
    return await _page(request, viewer, 201, created=created, password=password)


@router.get("/roles")
async def roles_page(request: Request, viewer: ViewerDep) -> Response:
    may_administer(viewer)
    roles = await fetch.roles(request.app.state.gateway, viewer)
    for role in roles.value:
        role["permissions"] = in_reading_order(role["permissions"])
    return render(request, "admin_roles.html", roles=roles, dealer_roles=DEALER_ROLES, tab="roles")
