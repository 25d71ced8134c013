"""Customer 360: one customer with everything each service knows of them, section by section.

The customer record comes first and decides: 404 (missing, or another dealer's) ends here with nothing
else asked for. Every other section is fetched in parallel and stands alone when its service is down.
"""

import asyncio

from crm_console.fetch import Section, section, skipped
from crm_console.gateway import Gateway, Unavailable
from crm_console.session import Viewer
from crm_contracts import permissions as p

VEHICLES_SHOWN = 20


async def _items(call) -> list:
    found = await call
    return found["items"] if isinstance(found, dict) else found


async def _vehicles(gateway: Gateway, viewer: Viewer, customer_id: str, vehicle_ids: list[str]) -> list[dict]:
    # The customer API has no "vehicles of a customer" list yet: the ids come from the profile and visits.
    found = await asyncio.gather(*(section(gateway.get(f"/api/v1/vehicles/{v}", viewer.token))
                                   for v in vehicle_ids[:VEHICLES_SHOWN]))
    if any(s.unavailable for s in found):
        raise Unavailable("vehicles")
    # Owned now or before: a car sold on stays in this customer's history with its ownership dates.
    return [s.value for s in found if s.value and customer_id in _owners(s.value)]


def _owners(vehicle: dict) -> set[str]:
    return {str(vehicle["customer_id"])} | {str(o["customer_id"]) for o in vehicle.get("ownership", [])}


async def customer_360(gateway: Gateway, viewer: Viewer, customer_id: str) -> dict[str, Section]:
    token = viewer.token
    try:
        customer = Section(await gateway.get(f"/api/v1/customers/{customer_id}", token))
    except Unavailable:
        customer = Section(unavailable=True)

    def when(permission: str, path: str, empty=None, listed: bool = False, **params):
        """Asked only when the viewer may see it; `listed` unwraps a page's items."""
        if not viewer.can(permission):
            return _done(skipped(empty))
        call = gateway.get(path, token, **params)
        return section(_items(call) if listed else call, empty)

    by_customer = {"customer_id": customer_id, "limit": 20}
    ask = {
        "consents": when(p.CUSTOMERS_READ, f"/api/v1/customers/{customer_id}/consents", []),
        "visits": when(p.CUSTOMERS_READ, "/api/v1/visits", [], True, customer_id=customer_id, limit=50),
        "profile": when(p.PROFILES_READ, f"/api/v1/profiles/{customer_id}"),
        "responses": when(p.SURVEYS_READ, "/api/v1/surveys/responses", [], True, **by_customer),
        "tasks": when(p.CARE_READ, "/api/v1/care/tasks", [], True, **by_customer),
        "messages": when(p.CARE_READ, "/api/v1/care/messages", [], True, **by_customer),
        "cases": when(p.CARE_READ, "/api/v1/care/cases", [], True, **by_customer),
    }
    results = dict(zip(ask, await asyncio.gather(*ask.values()), strict=True))
    vehicle_ids = [str(v["vehicle_id"]) for v in (results["profile"].value or {}).get("vehicle_profiles", [])]
    vehicle_ids += [str(v["vehicle_id"]) for v in results["visits"].value or [] if v.get("vehicle_id")]
    vehicle_ids = list(dict.fromkeys(vehicle_ids))
    if viewer.can(p.CUSTOMERS_READ):
        results["vehicles"] = await section(_vehicles(gateway, viewer, customer_id, vehicle_ids), [])
        if results["profile"].unavailable and results["visits"].unavailable:
            results["vehicles"] = Section([], unavailable=True)  # no way to know which vehicles to ask for
    else:
        results["vehicles"] = skipped([])
    return {"customer": customer, **results}


async def _done(value: Section) -> Section:
    return value
