"""The personal-data access log (customer service), newest first, cursor-paged."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crm_console.gateway import Gateway
from crm_console.session import Viewer

PAGE = 50


async def access_log(gateway: Gateway, viewer: Viewer, user: str | None, day: date | None, zone: ZoneInfo,
                     cursor: str | None) -> dict:
    """One page of entries; with a day, that day's in the dealer's time (the API filters by time range)."""
    window = {}
    if day is not None:
        start = datetime.combine(day, time(), zone)
        window = {"since": start.isoformat(), "until": (start + timedelta(days=1)).isoformat()}
    return await gateway.get("/api/v1/pii-access-log", viewer.token, principal_name=user, limit=PAGE,
                             cursor=cursor, **window)
