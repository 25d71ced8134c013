"""The home page: today's work for the viewer's role and the dealer's headline figures."""

import asyncio
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from crm_console.domain.work import cases_near_sla, queues_of, todays_tasks
from crm_console.fetch import Section, section, skipped
from crm_console.gateway import Gateway
from crm_console.session import Viewer
from crm_contracts import permissions as p

SHOWN = 10  # rows per list on the home page; the full queues are screens of their own


async def _tasks(gateway: Gateway, viewer: Viewer, now: datetime, zone: ZoneInfo):
    lists = [gateway.get("/api/v1/care/tasks", viewer.token, dealer_id=viewer.dealer, assignee=viewer.username,
                         status="open", limit=50)]
    lists += [gateway.get("/api/v1/care/tasks", viewer.token, dealer_id=viewer.dealer, role=queue, status="open",
                          limit=50) for queue in queues_of(viewer.roles)]
    pages = await asyncio.gather(*lists)
    end_of_today = datetime.combine(now.astimezone(zone).date() + timedelta(days=1), time(), zone)
    return todays_tasks([task for page in pages for task in page["items"]], now, end_of_today)


async def _alerts(gateway: Gateway, viewer: Viewer) -> list[dict]:
    page = await gateway.get("/api/v1/surveys/alerts", viewer.token, status="open", limit=50)
    return [a for a in page["items"] if viewer.dealer is None or a["dealer_id"] == viewer.dealer][:SHOWN]


async def _cases(gateway: Gateway, viewer: Viewer, now: datetime) -> list[dict]:
    found = await asyncio.gather(*(gateway.get("/api/v1/care/cases", viewer.token, state=state, limit=100)
                                   for state in ("open", "in_progress")))
    # Care answers a cursor page ({items, next_cursor}); older care versions answered a bare list.
    listed = [c for page in found for c in (page["items"] if isinstance(page, dict) else page)]
    cases = [c for c in listed if viewer.dealer is None or c["dealer_id"] == viewer.dealer]
    return cases_near_sla(cases, now)[:SHOWN]


async def _figures(gateway: Gateway, viewer: Viewer) -> dict:
    scope = {"dealer_id": viewer.dealer} if viewer.dealer else {"network": "true"}
    grasp, distributions = await asyncio.gather(
        gateway.get("/api/v1/kpis/grasp-rate", viewer.token, **scope),
        gateway.get("/api/v1/kpis/distributions", viewer.token, **scope))
    return {"customers": sum(distributions["lifecycle_stage"].values()),
            "grasp_rate": grasp["total"]["grasp_rate"], "active_ratio": grasp["total"]["active_ratio"]}


async def _satisfaction(gateway: Gateway, viewer: Viewer) -> dict:
    ssi, csi = await asyncio.gather(*(gateway.get(f"/api/v1/surveys/analytics/dealers/{viewer.dealer}", viewer.token,
                                                  kind=kind) for kind in ("ssi", "csi")))
    return {"ssi": ssi["index"], "csi": csi["index"], "nps": csi["nps"], "ssi_nps": ssi["nps"]}


async def customer_names(gateway: Gateway, viewer: Viewer, ids: list[str]) -> dict[str, str]:
    """Names for the few customers a list shows (masked as the API masks them); unknown ones stay unnamed."""
    if not viewer.can(p.CUSTOMERS_READ):
        return {}
    wanted = list(dict.fromkeys(ids))[:3 * SHOWN]
    found = await asyncio.gather(*(section(gateway.get(f"/api/v1/customers/{i}", viewer.token)) for i in wanted))
    return {i: s.value["name"] for i, s in zip(wanted, found, strict=True) if s.shown and s.value}


async def home(gateway: Gateway, viewer: Viewer, now: datetime, zone: ZoneInfo) -> dict[str, Section]:
    has_dealer = viewer.dealer is not None
    parts = {
        "tasks": section(_tasks(gateway, viewer, now, zone)) if viewer.can(p.CARE_READ) and has_dealer else None,
        "alerts": section(_alerts(gateway, viewer), []) if viewer.can(p.SURVEYS_READ) else None,
        "cases": section(_cases(gateway, viewer, now), []) if viewer.can(p.CARE_READ) else None,
        "figures": section(_figures(gateway, viewer)) if viewer.can(p.KPIS_READ) else None,
        "satisfaction": section(_satisfaction(gateway, viewer))
        if viewer.can(p.SURVEYS_READ) and has_dealer else None,
    }
    names = [k for k, v in parts.items() if v is not None]
    results = dict(zip(names, await asyncio.gather(*(parts[k] for k in names)), strict=True))
    return {k: results.get(k, skipped()) for k in parts}
