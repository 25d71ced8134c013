"""/api/v1/reports/customer-value: the customer value analysis report (客户价值分析报告), JSON or XLSX.

One dealer (`dealer_id`) or, with dealer_id omitted and `network:read`, every dealer the caller sees (the
carmaker's view), for one month (`month=YYYY-MM`, default this month).
"""

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response

from crm_contracts import permissions
from crm_kit.auth import Principal, require
from crm_kit.db import SessionDep
from crm_kit.problems import field_error, invalid
from crm_kit.responses import problems
from crm_segmentation.api.kpis import Month, Today, month_of, scope_of
from crm_segmentation.api.xlsx import workbook
from crm_segmentation.handlers import report as handlers
from crm_segmentation.models.report import CustomerValueReport

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
DealerId = Annotated[str | None, Query(description="One dealer; omit for the network (needs network:read)")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUSES = problems(403, 404, 422, s403="No kpis:read; or no network:read, asking without dealer_id",
                    s404="No such dealer among those you see", s422="A month after this one, or a bad month")


async def _report(session, principal: Principal, today: date, dealer_id: str | None, month: str | None,
                  timezone: str) -> CustomerValueReport:
    scope, dealers = scope_of(principal, dealer_id, network=dealer_id is None)
    first = month_of(month, today)
    if first > today:
        raise invalid(field_error("query", "month", "must not be after this month"))
    return await handlers.customer_value(session, scope, dealers, first, today, timezone)


@router.get("/customer-value", response_model=CustomerValueReport, responses=STATUSES)
async def customer_value(request: Request, session: SessionDep, today: Today, dealer_id: DealerId = None,
                         month: Month = None,
                         principal: Principal = require(permissions.KPIS_READ)) -> CustomerValueReport:
    """Customers and vehicles; grasp rate and active ratio by vehicle age against 12 months earlier; value
    type, lifecycle and RFM distributions and movements since the previous month; the top churn risks.
    SSI/CSI and campaign results are listed under `not_yet`."""
    return await _report(session, principal, today, dealer_id, month, request.app.state.settings.timezone)


@router.get("/customer-value.xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
                             "description": "The same report, one sheet per section"}, **STATUSES})
async def customer_value_xlsx(request: Request, session: SessionDep, today: Today, dealer_id: DealerId = None,
                              month: Month = None, principal: Principal = require(permissions.KPIS_READ)) -> Response:
    """The same figures as an XLSX workbook, one sheet per section, with Chinese sheet names and headers."""
    report = await _report(session, principal, today, dealer_id, month, request.app.state.settings.timezone)
    name = f"客户价值分析报告-{report.scope}-{report.month:%Y-%m}.xlsx"
    return Response(workbook(report), media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})
