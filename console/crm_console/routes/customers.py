"""Customer search (name, mobile, plate or VIN) and Customer 360."""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response

from crm_console.domain.search import search_filter
from crm_console.fetch import section
from crm_console.fetch.customer360 import customer_360
from crm_console.gateway import Forbidden, NotFound
from crm_console.pages import is_htmx, render
from crm_console.session import ViewerDep
from crm_contracts import permissions as p

router = APIRouter(prefix="/console/customers", include_in_schema=False)


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
async def customer_page(request: Request, viewer: ViewerDep, customer_id: str) -> Response:
    _may_read(viewer)
    try:
        uuid.UUID(customer_id)
    except ValueError as error:
        raise NotFound(customer_id) from error
    parts = await customer_360(request.app.state.gateway, viewer, customer_id)
    return render(request, "customer.html", parts=parts, customer_id=customer_id)
