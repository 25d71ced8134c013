"""GET /console/: what needs doing today and the dealer's headline figures."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from crm_console.fetch.home import customer_names, home
from crm_console.pages import render
from crm_console.session import ViewerDep

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/")
async def home_page(request: Request, viewer: ViewerDep) -> Response:
    zone = ZoneInfo(request.app.state.settings.time_zone)
    parts = await home(request.app.state.gateway, viewer, datetime.now(UTC), zone)
    shown = [row["customer_id"] for key in ("alerts", "cases") for row in (parts[key].value or [])]
    if parts["tasks"].shown and parts["tasks"].value:
        shown += [t["customer_id"] for t in parts["tasks"].value.overdue + parts["tasks"].value.due_today]
    names = await customer_names(request.app.state.gateway, viewer, [str(i) for i in shown])
    return render(request, "home.html", parts=parts, names=names)
