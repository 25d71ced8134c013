"""The task queue (我的 / 未分配 / 已逾期) and one task worked from its call panel to an outcome."""

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from crm_console.domain.surveys import phone_questions
from crm_console.domain.task_queue import OUTCOMES, TABS, sla_clock
from crm_console.fetch import tasks as fetch
from crm_console.gateway import Forbidden, NotFound, Refused
from crm_console.pages import render
from crm_console.session import CsrfChecked, ViewerDep, language
from crm_contracts import permissions as p

router = APIRouter(prefix="/console/tasks", include_in_schema=False)


def _may(viewer, permission: str = p.CARE_READ) -> None:
    if not viewer.can(permission):
        raise Forbidden(permission)


def _task_id(task_id: str) -> str:
    try:
        return str(uuid.UUID(task_id))
    except ValueError as error:
        raise NotFound(task_id) from error


def _clock(now: datetime):
    return lambda sla_at: sla_clock(sla_at, now)


@router.get("")
async def queue_page(request: Request, viewer: ViewerDep, tab: str = "mine", cursor: str | None = None) -> Response:
    _may(viewer)
    tab = tab if tab in TABS else "mine"
    found = await fetch.queue(request.app.state.gateway, viewer, tab, cursor)
    return render(request, "tasks.html", tabs=TABS, tab=tab, found=found, clock=_clock(datetime.now(UTC)))


async def _panel(request: Request, viewer, task_id: str, status_code: int = 200, errors: dict | None = None,
                 form: dict | None = None) -> Response:
    task, parts = await fetch.call_panel(request.app.state.gateway, viewer, task_id)
    survey = parts["survey"]
    questions = (phone_questions(survey.value[1]["definition"], language(request)) if survey.value else [])
    return render(request, "task.html", status_code=status_code, task=task, parts=parts, outcomes=OUTCOMES,
                  errors=errors or {}, form=form or {}, clock=_clock(datetime.now(UTC)),
                  may_work=viewer.can(p.CARE_WORK), questions=questions,
                  invitation=survey.value[0] if survey.value else None,
                  may_record_answers=viewer.can(p.SURVEYS_MANAGE))


@router.get("/{task_id}")
async def task_page(request: Request, viewer: ViewerDep, task_id: str) -> Response:
    _may(viewer)
    return await _panel(request, viewer, _task_id(task_id))


@router.post("/{task_id}/take", dependencies=[CsrfChecked])
async def take(request: Request, viewer: ViewerDep, task_id: str) -> Response:
    _may(viewer, p.CARE_WORK)
    task_id = _task_id(task_id)
    await fetch.take(request.app.state.gateway, viewer, task_id)
    return RedirectResponse(f"/console/tasks/{task_id}", status_code=303)


@router.post("/{task_id}/outcome", dependencies=[CsrfChecked])
async def record_outcome(request: Request, viewer: ViewerDep, task_id: str,
                         outcome: Annotated[str, Form()] = "", notes: Annotated[str, Form()] = "") -> Response:
    _may(viewer, p.CARE_WORK)
    task_id = _task_id(task_id)
    notes = notes.strip()
    form = {"outcome": outcome, "notes": notes}
    if outcome not in OUTCOMES:
        return await _panel(request, viewer, task_id, 422, {"outcome": "tasks.error.outcome"}, form)
    if len(notes) > 2000:
        return await _panel(request, viewer, task_id, 422, {"notes": "tasks.error.notes_long"}, form)
    if outcome == "complaint" and not notes:
        # The case's summary is what the customer complained about: a case without it helps nobody.
        return await _panel(request, viewer, task_id, 422, {"notes": "tasks.error.complaint_notes"}, form)
    gateway = request.app.state.gateway
    task = await fetch.task_only(gateway, viewer, task_id)
    if task["status"] != "open":
        return await _panel(request, viewer, task_id, 409, {"outcome": "tasks.error.closed"}, form)
    try:
        case_id = await fetch.record_outcome(gateway, viewer, task, outcome, notes or None)
    except Refused:
        return await _panel(request, viewer, task_id, 422, {"outcome": "tasks.error.refused"}, form)
    target = f"/console/cases/{case_id}" if case_id else f"/console/tasks/{task_id}"
    return RedirectResponse(target, status_code=303)
