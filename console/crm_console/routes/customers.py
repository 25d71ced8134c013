"""Customer search (name, mobile, plate or VIN) and Customer 360."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from crm_console.domain import customer_edit as edit
from crm_console.domain.search import search_filter
from crm_console.fetch import customer_changes as changes
from crm_console.fetch import section
from crm_console.fetch.customer360 import customer_360
from crm_console.gateway import Forbidden, NotFound, Refused
from crm_console.pages import is_htmx, render
from crm_console.session import CsrfChecked, ViewerDep
from crm_contracts import permissions as p

router = APIRouter(prefix="/console/customers", include_in_schema=False)
CONSENT_PURPOSES = ("care", "survey", "marketing", "oem_sharing")
CONSENT_CHANNELS = ("sms", "phone", "email", "wechat")


def _may_read(viewer) -> None:
    if not viewer.can(p.CUSTOMERS_READ):
        raise Forbidden("customers:read")


@router.get("")
async def search_page(request: Request, viewer: ViewerDep, q: str = "") -> Response:
    _may_read(viewer)
    query = search_filter(q)
    found = None
    if query is not None:
        found = await section(request.app.state.gateway.get("/api/v1/customers", viewer.token, limit=20,
                                                            dealer_id=viewer.dealer, **query))
    # A swap needs only the results; HTMX restoring history after a reload needs the whole page.
    swap = is_htmx(request) and request.headers.get("HX-History-Restore-Request") != "true"
    template = "partials/customer_results.html" if swap else "customers.html"
    return render(request, template, q=q, found=found)


@router.get("/{customer_id}")
async def customer_page(request: Request, viewer: ViewerDep, customer_id: str, done: str = "") -> Response:
    _may_read(viewer)
    try:
        uuid.UUID(customer_id)
    except ValueError as error:
        raise NotFound(customer_id) from error
    parts = await customer_360(request.app.state.gateway, viewer, customer_id)
    return render(request, "customer.html", parts=parts, customer_id=customer_id, done=done,
                  purposes=CONSENT_PURPOSES, channels=CONSENT_CHANNELS)


# Changes: edit (If-Match), merge, erasure and consent. Each GET only shows; each POST carries the CSRF token.

def _may(viewer, *permissions: str) -> None:
    for permission in permissions:
        if not viewer.can(permission):
            raise Forbidden(permission)


def _checked_id(customer_id: str) -> str:
    try:
        return str(uuid.UUID(customer_id))
    except ValueError as error:
        raise NotFound(customer_id) from error


def _back(customer_id: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"/console/customers/{customer_id}?done={done}", status_code=303)


async def _edit_page(request: Request, customer: dict, etag: str, values: dict, was: dict,
                     errors: dict | None = None, status_code: int = 200) -> Response:
    return render(request, "customer_edit.html", customer=customer, etag=etag, values=values, was=was,
                  errors=errors or {}, genders=edit.GENDERS, status_code=status_code)


@router.get("/{customer_id}/edit")
async def edit_form(request: Request, viewer: ViewerDep, customer_id: str) -> Response:
    # Editing needs the unmasked record: a form filled with 138****0000 would save the stars.
    _may(viewer, p.CUSTOMERS_WRITE, p.READ_PII)
    customer, etag = await changes.tagged(request.app.state.gateway, viewer, _checked_id(customer_id))
    values = edit.shown(customer)
    return await _edit_page(request, customer, etag, values, values)


@router.post("/{customer_id}/edit", dependencies=[CsrfChecked])
async def save_edit(request: Request, viewer: ViewerDep, customer_id: str) -> Response:
    _may(viewer, p.CUSTOMERS_WRITE, p.READ_PII)
    customer_id = _checked_id(customer_id)
    gateway = request.app.state.gateway
    form = await request.form()
    was, mine = edit.typed(form, "was."), edit.typed(form)
    changed = edit.changes(was, mine)
    if not changed:
        return _back(customer_id, "unchanged")
    etag = str(form.get("etag") or "")
    errors = edit.missing(changed)
    if not errors:
        try:
            await changes.edit(gateway, viewer, customer_id, edit.body_of(changed), etag)
            return _back(customer_id, "saved")
        except Refused as refused:
            if refused.status in (412, 428):
                return await _stale_page(request, viewer, customer_id, was, mine)
            errors = edit.field_errors(refused.fields)
            if refused.status == 409 and refused.problem.get("existing_id"):
                errors["mobile"] = "customer_edit.duplicate_mobile"
            errors = errors or {"form": "customer_edit.refused"}
    customer, _ = await changes.tagged(gateway, viewer, customer_id)
    return await _edit_page(request, customer, etag, mine, was, errors, status_code=422)


async def _stale_page(request: Request, viewer, customer_id: str, was: dict, mine: dict) -> Response:
    """Someone saved first: their record as it is now beside this user's change, to re-apply or drop."""
    customer, etag = await changes.tagged(request.app.state.gateway, viewer, customer_id)
    now = edit.shown(customer)
    merged = {**now, **edit.changes(was, mine)}  # what re-applying sends: the current record plus my change
    return render(request, "customer_stale.html", customer=customer, etag=etag, now=now, merged=merged,
                  differences=edit.stale(was, now, mine), status_code=409)


@router.get("/{customer_id}/merge")
async def merge_page(request: Request, viewer: ViewerDep, customer_id: str, q: str = "",
                     duplicate: str = "") -> Response:
    _may(viewer, p.CUSTOMERS_MERGE)
    customer_id = _checked_id(customer_id)
    gateway = request.app.state.gateway
    if duplicate:
        survivor, other = await changes.summaries(gateway, viewer, customer_id, _checked_id(duplicate))
        return render(request, "customer_merge.html", survivor=survivor, duplicate=other, q=q, found=None,
                      problem=None)
    survivor = await changes.summary(gateway, viewer, customer_id)
    query = search_filter(q)
    found = None
    if query is not None:
        found = await section(gateway.get("/api/v1/customers", viewer.token, limit=20,
                                          dealer_id=survivor["customer"]["dealer_id"], **query))
    return render(request, "customer_merge.html", survivor=survivor, duplicate=None, q=q, found=found,
                  problem=None)


@router.post("/{customer_id}/merge", dependencies=[CsrfChecked])
async def merge(request: Request, viewer: ViewerDep, customer_id: str, duplicate_id: Annotated[str, Form()],
                confirmed: Annotated[str, Form()] = "") -> Response:
    _may(viewer, p.CUSTOMERS_MERGE)
    customer_id, duplicate_id = _checked_id(customer_id), _checked_id(duplicate_id)
    gateway = request.app.state.gateway
    problem = None if confirmed == "yes" else "customer_merge.not_confirmed"
    if problem is None:
        try:
            await changes.merge(gateway, viewer, customer_id, duplicate_id)
            return _back(customer_id, "merged")
        except Refused:
            problem = "customer_merge.refused"
    survivor, other = await changes.summaries(gateway, viewer, customer_id, duplicate_id)
    return render(request, "customer_merge.html", survivor=survivor, duplicate=other, q="", found=None,
                  problem=problem, status_code=422)


@router.get("/{customer_id}/erase")
async def erase_page(request: Request, viewer: ViewerDep, customer_id: str) -> Response:
    _may(viewer, p.CUSTOMERS_ERASE)
    summary = await changes.summary(request.app.state.gateway, viewer, _checked_id(customer_id))
    return render(request, "customer_erase.html", summary=summary, problem=None)


@router.post("/{customer_id}/erase", dependencies=[CsrfChecked])
async def erase(request: Request, viewer: ViewerDep, customer_id: str,
                typed_name: Annotated[str, Form()] = "") -> Response:
    _may(viewer, p.CUSTOMERS_ERASE)
    customer_id = _checked_id(customer_id)
    gateway = request.app.state.gateway
    summary = await changes.summary(gateway, viewer, customer_id)
    # Typing the name (as this user sees it) proves the right record is meant; nothing can undo it.
    if typed_name.strip() != summary["customer"]["name"]:
        return render(request, "customer_erase.html", summary=summary, problem="customer_erase.name_mismatch",
                      status_code=422)
    await changes.erase(gateway, viewer, customer_id)
    return _back(customer_id, "erased")


@router.get("/{customer_id}/consent")
async def consent_page(request: Request, viewer: ViewerDep, customer_id: str, purpose: str, channel: str,
                       granted: str) -> Response:
    _may(viewer, p.CUSTOMERS_WRITE)
    _consent_choice(purpose, channel)
    customer = await request.app.state.gateway.get(f"/api/v1/customers/{_checked_id(customer_id)}", viewer.token)
    return render(request, "customer_consent.html", customer=customer, purpose=purpose, channel=channel,
                  granted=granted == "yes", problem=None)


@router.post("/{customer_id}/consent", dependencies=[CsrfChecked])
async def consent(request: Request, viewer: ViewerDep, customer_id: str, purpose: Annotated[str, Form()],
                  channel: Annotated[str, Form()], granted: Annotated[str, Form()],
                  source: Annotated[str, Form()] = "") -> Response:
    _may(viewer, p.CUSTOMERS_WRITE)
    customer_id = _checked_id(customer_id)
    _consent_choice(purpose, channel)
    gateway = request.app.state.gateway
    if source.strip():
        await changes.set_consent(gateway, viewer, customer_id, purpose, channel, granted == "yes",
                                  source.strip()[:80])
        return _back(customer_id, "consent")
    customer = await gateway.get(f"/api/v1/customers/{customer_id}", viewer.token)
    return render(request, "customer_consent.html", customer=customer, purpose=purpose, channel=channel,
                  granted=granted == "yes", problem="customer_consent.no_source", status_code=422)


def _consent_choice(purpose: str, channel: str) -> None:
    if purpose not in CONSENT_PURPOSES or channel not in CONSENT_CHANNELS:
        raise NotFound(f"{purpose}/{channel}")
