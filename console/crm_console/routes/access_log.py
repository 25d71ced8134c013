"""The personal-data access log: who saw which customer's personal data unmasked, when, and how.

Customers are shown by id (linked to their 360), not by name: fetching each name would itself be an
unmasked read, and the auditor's look at the log would fill the log.
"""

from datetime import date
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from crm_console.fetch.access_log import access_log
from crm_console.gateway import Forbidden
from crm_console.pages import render
from crm_console.session import ViewerDep
from crm_contracts import permissions as p

router = APIRouter(prefix="/console/access-log", include_in_schema=False)


@router.get("")
async def access_log_page(request: Request, viewer: ViewerDep, user: str = "", day: str = "",
                          cursor: str | None = None) -> Response:
    # The service answers only pii:audit (an administrator's role grants it); ask nothing without it.
    if not viewer.can(p.PII_AUDIT):
        raise Forbidden("pii:audit")
    errors = {}
    try:
        chosen = date.fromisoformat(day) if day else None
    except ValueError:
        chosen, errors["day"] = None, "access_log.error.day"
    zone = ZoneInfo(request.app.state.settings.time_zone)
    page = {"items": [], "next_cursor": None}
    if not errors:
        page = await access_log(request.app.state.gateway, viewer, user.strip() or None, chosen, zone, cursor)
    return render(request, "access_log.html", status_code=422 if errors else 200, page=page, user=user, day=day,
                  errors=errors)
