"""The KPI screen: grasp rate by vehicle age, its monthly history, churn and the profile distributions."""

import asyncio
from datetime import date

from crm_console.fetch import Section, section
from crm_console.gateway import Gateway
from crm_console.session import Viewer

HISTORY_MONTHS = 24


def scope(viewer: Viewer) -> dict[str, str]:
    """The viewer's dealer, or the whole network for a network user who has not picked one."""
    return {"dealer_id": viewer.dealer} if viewer.dealer else {"network": "true"}


def months_before(today: date, months: int) -> str:
    index = today.year * 12 + today.month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


async def kpis(gateway: Gateway, viewer: Viewer, today: date) -> dict[str, Section]:
    where = scope(viewer)
    grasp, history, churn, distributions = await asyncio.gather(
        section(gateway.get("/api/v1/kpis/grasp-rate", viewer.token, **where)),
        section(gateway.get("/api/v1/kpis/grasp-rate/history", viewer.token,
                            since=months_before(today, HISTORY_MONTHS - 1), **where), empty=[]),
        section(gateway.get("/api/v1/kpis/churn-rate", viewer.token, **where)),
        section(gateway.get("/api/v1/kpis/distributions", viewer.token, **where)))
    return {"grasp": grasp, "history": history, "churn": churn, "distributions": distributions}
