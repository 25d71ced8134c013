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


async def vehicles_of(gateway: Gateway, viewer: Viewer, customer_id: str) -> list[dict]:
    """The customer's cars, owned now or before (a car sold on stays in its history), with their ownership."""
    found = await gateway.get("/api/v1/vehicles", viewer.token, customer_id=customer_id, limit=VEHICLES_SHOWN)
    return found["items"]


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
        "vehicles": when(p.CUSTOMERS_READ, "/api/v1/vehicles", [], True, customer_id=customer_id,
                         limit=VEHICLES_SHOWN),
        "profile": when(p.PROFILES_READ, f"/api/v1/profiles/{customer_id}"),
        "responses": when(p.SURVEYS_READ, "/api/v1/surveys/responses", [], True, **by_customer),
        "tasks": when(p.CARE_READ, "/api/v1/care/tasks", [], True, **by_customer),
        "messages": when(p.CARE_READ, "/api/v1/care/messages", [], True, **by_customer),
        "cases": when(p.CARE_READ, "/api/v1/care/cases", [], True, **by_customer),
    }
    results = dict(zip(ask, await asyncio.gather(*ask.values()), strict=True))
    return {"customer": customer, **results}


async def _done(value: Section) -> Section:
    return value
