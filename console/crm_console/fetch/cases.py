"""Complaint cases and rescue requests as care answers them, cursor page by cursor page."""

import asyncio

from crm_console.fetch import Section, section
from crm_console.fetch.home import customer_names
from crm_console.gateway import Gateway
from crm_console.session import Viewer

PAGE = 25
RESCUE_SHOWN = 20
CASES = "/api/v1/care/cases"


async def _page(gateway: Gateway, viewer: Viewer, path: str, **params) -> dict:
    found = await gateway.get(path, viewer.token, **params)
    names = await customer_names(gateway, viewer, [str(c["customer_id"]) for c in found["items"]])
    return {"items": found["items"], "next_cursor": found.get("next_cursor"), "names": names}


async def case_list(gateway: Gateway, viewer: Viewer, state: str | None, cursor: str | None) -> dict[str, Section]:
    empty = {"items": [], "next_cursor": None, "names": {}}
    cases, rescue = await asyncio.gather(
        section(_page(gateway, viewer, CASES, state=state, limit=PAGE, cursor=cursor), empty),
        section(_page(gateway, viewer, "/api/v1/care/rescue", limit=RESCUE_SHOWN), empty))
    return {"cases": cases, "rescue": rescue}


async def one_case(gateway: Gateway, viewer: Viewer, case_id: str) -> tuple[dict, dict[str, str], Section]:
    """The case (a 404 propagates: another dealer's), its customer's name and the actions taken on it."""
    case = await gateway.get(f"{CASES}/{case_id}", viewer.token)
    names, actions = await asyncio.gather(customer_names(gateway, viewer, [str(case["customer_id"])]),
                                          section(_actions(gateway, viewer, case_id), []))
    return case, names, actions


async def _actions(gateway: Gateway, viewer: Viewer, case_id: str) -> list[dict]:
    return (await gateway.get(f"{CASES}/{case_id}/actions", viewer.token))["items"]


async def move(gateway: Gateway, viewer: Viewer, case_id: str, action: str, resolution: str | None,
               confirmed: bool, note: str | None = None) -> dict:
    body: dict = {"action": action}
    if resolution:
        body["resolution"] = resolution
    if note:
        body["note"] = note
    if action == "close":
        body["resolution_confirmed"] = confirmed
    return await gateway.post(f"{CASES}/{case_id}/actions", viewer.token, body)
