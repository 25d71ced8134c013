"""The personal-data access log (customer service), newest first, cursor-paged."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crm_console.gateway import Gateway
from crm_console.session import Viewer

PAGE = 50
SCANNED_PAGES = 20  # the API has no date filter: a day is found by reading back at most this many pages


async def access_log(gateway: Gateway, viewer: Viewer, user: str | None, day: date | None, zone: ZoneInfo,
                     cursor: str | None) -> dict:
    """One page of entries; with a day, entries of that day (dealer's time) only, read back page by page."""
    if day is None:
        return await gateway.get("/api/v1/pii-access-log", viewer.token, principal_name=user, limit=PAGE,
                                 cursor=cursor)
    start = datetime.combine(day, time(), zone)
    end = start + timedelta(days=1)
    found: list[dict] = []
    for _ in range(SCANNED_PAGES):
        page = await gateway.get("/api/v1/pii-access-log", viewer.token, principal_name=user, limit=PAGE,
                                 cursor=cursor)
        cursor = page.get("next_cursor")
        for entry in page["items"]:
            at = datetime.fromisoformat(entry["at"])
            if start <= at < end:
                found.append(entry)
            elif at < start:  # newest first: everything further back is older still
                return {"items": found, "next_cursor": None}
        if not cursor or len(found) >= PAGE:
            break
    return {"items": found, "next_cursor": cursor}
