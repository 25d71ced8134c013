"""Complaint cases: the list with its SLA state, one case with its timeline and the moves its state allows;
rescue requests beside them."""

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from crm_console.domain.task_queue import CASE_STATES, case_moves, case_timeline, sla_clock
from crm_console.fetch import cases as fetch
from crm_console.gateway import Forbidden, NotFound, Refused
from crm_console.pages import render
from crm_console.session import CsrfChecked, ViewerDep
from crm_contracts import permissions as p

router = APIRouter(prefix="/console/cases", include_in_schema=False)


def _may(viewer, permission: str = p.CARE_READ) -> None:
    if not viewer.can(permission):
        raise Forbidden(permission)


def _case_id(case_id: str) -> str:
    try:
        return str(uuid.UUID(case_id))
    except ValueError as error:
        raise NotFound(case_id) from error


@router.get("")
async def cases_page(request: Request, viewer: ViewerDep, state: str = "", cursor: str | None = None) -> Response:
    _may(viewer)
    state = state if state in CASE_STATES else ""
    parts = await fetch.case_list(request.app.state.gateway, viewer, state or None, cursor)
    now = datetime.now(UTC)
    return render(request, "cases.html", parts=parts, states=CASE_STATES, state=state,
                  clock=lambda at: sla_clock(at, now))


async def _case(request: Request, viewer, case_id: str, status_code: int = 200, errors: dict | None = None,
                form: dict | None = None) -> Response:
    case, names, actions = await fetch.one_case(request.app.state.gateway, viewer, case_id)
    now = datetime.now(UTC)
    # Care's log of the case; should it not answer, the moments on the case itself still tell the story.
    logged = actions.value if actions.shown and actions.value else None
    return render(request, "case.html", status_code=status_code, case=case, names=names,
                  moves=case_moves(case["state"]) if viewer.can(p.CARE_WORK) else (),
                  may_note=viewer.can(p.CARE_WORK), actions=logged,
                  timeline=case_timeline(case), errors=errors or {}, form=form or {},
                  clock=lambda at: sla_clock(at, now))


@router.get("/{case_id}")
async def case_page(request: Request, viewer: ViewerDep, case_id: str) -> Response:
    _may(viewer)
    return await _case(request, viewer, _case_id(case_id))


@router.post("/{case_id}/actions", dependencies=[CsrfChecked])
async def move_case(request: Request, viewer: ViewerDep, case_id: str, action: Annotated[str, Form()] = "",
                    resolution: Annotated[str, Form()] = "", confirmed: Annotated[str, Form()] = "",
                    note: Annotated[str, Form()] = "") -> Response:
    _may(viewer, p.CARE_WORK)
    case_id = _case_id(case_id)
    resolution, note = resolution.strip(), note.strip()
    form = {"resolution": resolution, "note": note}
    if action == "resolve" and not resolution:
        return await _case(request, viewer, case_id, 422, {"resolution": "cases.error.resolution"}, form)
    if action == "note" and not note:
        return await _case(request, viewer, case_id, 422, {"note": "cases.error.note"}, form)
    if action == "close" and confirmed != "yes":
        return await _case(request, viewer, case_id, 422, {"confirmed": "cases.error.confirmed"}, form)
    try:
        await fetch.move(request.app.state.gateway, viewer, case_id, action, resolution or None, confirmed == "yes",
                         note or None)
    except Refused:
        return await _case(request, viewer, case_id, 409, {"action": "cases.error.refused"}, form)
    return RedirectResponse(f"/console/cases/{case_id}", status_code=303)
