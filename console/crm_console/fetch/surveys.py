"""The survey screen: the dealer's index, NPS and trend, its weaknesses, the open hot alerts, the ranking."""

import asyncio

from crm_console.fetch import Section, section, skipped
from crm_console.gateway import Gateway
from crm_console.session import Viewer
from crm_contracts import permissions as p


async def surveys(gateway: Gateway, viewer: Viewer, kind: str) -> dict[str, Section]:
    dealer = viewer.dealer
    ranking = (section(gateway.get("/api/v1/surveys/analytics/network", viewer.token, kind=kind))
               if viewer.can(p.NETWORK_READ) else _skipped())
    if dealer is None:  # a network user without a dealer sees the ranking only
        return {"overview": skipped(), "weaknesses": skipped(), "alerts": skipped(empty={"items": []}),
                "ranking": await ranking}
    overview, weaknesses, alerts, ranked = await asyncio.gather(
        section(gateway.get(f"/api/v1/surveys/analytics/dealers/{dealer}", viewer.token, kind=kind)),
        section(gateway.get(f"/api/v1/surveys/analytics/dealers/{dealer}/weaknesses", viewer.token, kind=kind)),
        section(gateway.get("/api/v1/surveys/alerts", viewer.token, status="open", limit="50"),
                empty={"items": []}),
        ranking)
    return {"overview": overview, "weaknesses": weaknesses, "alerts": alerts, "ranking": ranked}


async def _skipped() -> Section:
    return skipped()
