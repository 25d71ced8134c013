"""The KPI screen: grasp rate and active ratio by vehicle age and by month, churn, distributions; CSVs."""

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from crm_console.domain.kpi_screen import PANELS, panels
from crm_console.domain.kpi_tables import csv_text
from crm_console.fetch.kpis import kpis
from crm_console.gateway import Forbidden, NotFound
from crm_console.i18n import Translator
from crm_console.pages import render
from crm_console.session import ViewerDep, language
from crm_contracts import permissions as p

router = APIRouter(prefix="/console/kpis", include_in_schema=False)


async def _panels(request: Request, viewer):
    if not viewer.can(p.KPIS_READ):
        raise Forbidden("kpis:read")
    today = datetime.now(ZoneInfo(request.app.state.settings.time_zone)).date()
    parts = await kpis(request.app.state.gateway, viewer, today)
    values = {key: part.value for key, part in parts.items() if part.shown}
    return parts, panels(values, Translator(language(request)), language(request))


@router.get("")
async def kpi_page(request: Request, viewer: ViewerDep) -> Response:
    parts, shown = await _panels(request, viewer)
    return render(request, "kpis.html", parts=parts, panels=shown)


@router.get("/{key}.csv")
async def kpi_csv(request: Request, viewer: ViewerDep, key: str) -> Response:
    if key not in PANELS:
        raise NotFound(key)
    _, shown = await _panels(request, viewer)
    if key not in shown:
        raise NotFound(key)
    return Response(csv_text(shown[key].table), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="kpi-{key}.csv"'})
