"""The task queue and one task's call panel: care's task, the customer as the 360 page reads them."""

import asyncio
import uuid

from crm_console.domain.task_queue import tab_query, unassigned
from crm_console.domain.work import queues_of
from crm_console.fetch import Section, section, skipped
from crm_console.fetch.customer360 import customer_360
from crm_console.fetch.home import customer_names
from crm_console.fetch.surveys import invitation_with_template
from crm_console.gateway import Gateway
from crm_console.session import Viewer
from crm_contracts import permissions as p

PAGE = 25
TASKS = "/api/v1/care/tasks"


async def _queue(gateway: Gateway, viewer: Viewer, tab: str, cursor: str | None) -> dict:
    query = tab_query(tab, viewer.username, queues_of(viewer.roles))
    found = await gateway.get(TASKS, viewer.token, dealer_id=viewer.dealer, status="open", limit=PAGE,
                              cursor=cursor, **query)
    items = unassigned(found["items"]) if tab == "unassigned" else found["items"]
    names = await customer_names(gateway, viewer, [str(t["customer_id"]) for t in items])
    return {"items": items, "next_cursor": found.get("next_cursor"), "names": names}


async def queue(gateway: Gateway, viewer: Viewer, tab: str, cursor: str | None) -> Section:
    return await section(_queue(gateway, viewer, tab, cursor), {"items": [], "next_cursor": None, "names": {}})


async def call_panel(gateway: Gateway, viewer: Viewer, task_id: str) -> tuple[dict, dict[str, Section]]:
    """The task (a 404 propagates: not the viewer's dealer), its customer section by section, and for a 回访
    call the invitation and template version whose questions the caller reads out (`survey`)."""
    task = await gateway.get(f"{TASKS}/{task_id}", viewer.token)
    customer, survey = await asyncio.gather(customer_360(gateway, viewer, str(task["customer_id"])),
                                            _questionnaire(gateway, viewer, task.get("invitation_id")))
    return task, {**customer, "survey": survey}


async def _questionnaire(gateway: Gateway, viewer: Viewer, invitation_id: str | None) -> Section:
    if not invitation_id:
        return Section(None)
    if not viewer.can(p.SURVEYS_READ):
        return skipped()
    return await section(invitation_with_template(gateway, viewer, str(invitation_id)))


async def take(gateway: Gateway, viewer: Viewer, task_id: str) -> dict:
    return await gateway.post(f"{TASKS}/{task_id}/assign", viewer.token, {"assignee": viewer.username})


async def record_outcome(gateway: Gateway, viewer: Viewer, task: dict, outcome: str, notes: str | None) -> str | None:
    """Completes the task; a complaint first opens its case. The case's Idempotency-Key is derived from the
    task, so a retry after a crash between the two calls finds the same case instead of a second one.
    Returns the case's id for a complaint."""
    case_id = None
    if outcome == "complaint":
        case = await gateway.post("/api/v1/care/cases", viewer.token,
                                  {"customer_id": str(task["customer_id"]), "dealer_id": task["dealer_id"],
                                   "summary": notes or task["reason"]},
                                  idempotency_key=str(uuid.uuid5(uuid.NAMESPACE_URL, f"task:{task['id']}")))
        case_id = str(case["id"])
    body = {"outcome": outcome, "notes": notes} if notes else {"outcome": outcome}
    await gateway.post(f"{TASKS}/{task['id']}/complete", viewer.token, body)
    return case_id


async def task_only(gateway: Gateway, viewer: Viewer, task_id: str) -> dict:
    return await gateway.get(f"{TASKS}/{task_id}", viewer.token)


