"""/api/v1/kpis: grasp rate and active ratio by vehicle age, their monthly history, churn, distributions.

Every report is for one dealer (`dealer_id`) or, with `network=true` and `network:read`, for every
dealer together (the carmaker's view). `format=csv` answers the same figures as CSV.
"""

import csv
import io
from datetime import date
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from crm_contracts import permissions
from crm_kit.auth import Principal, require
from crm_kit.db import SessionDep
from crm_kit.problems import Problem, field_error, invalid
from crm_segmentation.domain import kpis as domain
from crm_segmentation.domain.retention import add_months
from crm_segmentation.handlers import kpis as handlers
from crm_segmentation.handlers.context import Clock
from crm_segmentation.models.kpis import (
    AgeRowPublic,
    ChurnReport,
    Distributions,
    GraspReport,
    SnapshotPublic,
)

router = APIRouter(prefix="/api/v1/kpis", tags=["kpis"])
Format = Annotated[Literal["json", "csv"], Query(description="json (default) or csv")]
DealerId = Annotated[str | None, Query(description="One dealer; omit with network=true")]
Network = Annotated[bool, Query(description="Every dealer together (needs network:read)")]
Month = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]


def scope_of(principal: Principal, dealer_id: str | None, network: bool) -> tuple[str, frozenset[str] | None]:
    if network:
        if not principal.can(permissions.NETWORK_READ):
            raise Problem(403, "Forbidden", "This needs the permission(s): network:read.")
        return "network", principal.dealer_filter()
    if dealer_id is None:
        raise invalid(field_error("query", "dealer_id", "name a dealer, or ask for network=true"))
    if not principal.sees(dealer_id):
        raise Problem(404, "Not Found", "No such dealer.")
    return dealer_id, frozenset([dealer_id])


def age_row(row: domain.AgeRow) -> AgeRowPublic:
    return AgeRowPublic(age_years=row.age_years, sold=row.sold, grasped=row.grasped, grasp_rate=row.grasp_rate,
                        base=row.base, active=row.active, active_ratio=row.active_ratio)


def csv_response(rows: list[BaseModel], name: str) -> Response:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, list(rows[0].model_dump()))
        writer.writeheader()
        writer.writerows(row.model_dump(mode="json") for row in rows)
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}.csv"})


def month_of(value: str | None, default: date) -> date:
    return date.fromisoformat(value + "-01") if value else default.replace(day=1)


def dealers_today(request: Request) -> date:
    return Clock(request.app.state.settings.timezone).today()


Today = Annotated[date, Depends(dealers_today)]


@router.get("/grasp-rate", response_model=GraspReport,
            responses={200: {"content": {"text/csv": {}}}})
async def grasp_rate(session: SessionDep, today: Today, dealer_id: DealerId = None, network: Network = False,
                     format: Format = "json", principal: Principal = require(permissions.KPIS_READ)):
    """Customer grasp rate (sold vehicles still active) and active ratio (active over the whole base),
    by vehicle age in whole years, as of today."""
    scope, dealers = scope_of(principal, dealer_id, network)
    per_dealer = await handlers.grasp_by_dealer(session, dealers, today)
    rows = [domain.AgeRow(age) for age in domain.AGES]
    for dealer_rows in per_dealer.values():
        for summed, row in zip(rows, dealer_rows, strict=True):
            summed.sold += row.sold
            summed.grasped += row.grasped
            summed.base += row.base
            summed.active += row.active
    report = GraspReport(as_of=today, scope=scope, by_age=[age_row(r) for r in rows],
                         total=age_row(domain.total(rows)))
    return csv_response(report.by_age, f"grasp-rate-{scope}") if format == "csv" else report


@router.get("/grasp-rate/history", response_model=list[SnapshotPublic],
            responses={200: {"content": {"text/csv": {}}}})
async def grasp_rate_history(session: SessionDep, today: Today, dealer_id: DealerId = None,
                             network: Network = False, since: Month = None, until: Month = None,
                             format: Format = "json", principal: Principal = require(permissions.KPIS_READ)):
    """Each month's grasp rate and active ratio by dealer and vehicle age, as of the month's last day (today
    for this month), from delivery and service visit dates. Defaults to the last 12 months."""
    scope, dealers = scope_of(principal, dealer_id, network)
    last = month_of(until, today)
    first = month_of(since, add_months(last, -11))
    if first > last:
        raise invalid(field_error("query", "since", "must not be after until"))
    rows = [SnapshotPublic(dealer_id=m.dealer_id, month=m.month, as_of=m.as_of, age_years=m.row.age_years,
                           sold=m.row.sold, grasped=m.row.grasped, grasp_rate=m.row.grasp_rate, base=m.row.base,
                           active=m.row.active, active_ratio=m.row.active_ratio)
            for m in await handlers.history(session, dealers, first, last, today)]
    return csv_response(rows, f"grasp-rate-history-{scope}") if format == "csv" else rows


@router.get("/churn-rate", response_model=ChurnReport, responses={200: {"content": {"text/csv": {}}}})
async def churn_rate(session: SessionDep, today: Today, dealer_id: DealerId = None, network: Network = False,
                     month: Month = None, format: Format = "json",
                     principal: Principal = require(permissions.KPIS_READ)):
    """The OEM rule: vehicles that visited in month M−6 and not since, over those that visited in M−6."""
    scope, dealers = scope_of(principal, dealer_id, network)
    rate = await handlers.churn(session, dealers, month_of(month, today))
    report = ChurnReport(scope=scope, month=rate.month, cohort_month=rate.cohort_month, visited=rate.visited,
                         churned=rate.churned, churn_rate=rate.rate)
    return csv_response([report], f"churn-rate-{scope}") if format == "csv" else report


@router.get("/distributions", response_model=Distributions, responses={200: {"content": {"text/csv": {}}}})
async def distributions(session: SessionDep, dealer_id: DealerId = None, network: Network = False,
                        format: Format = "json", principal: Principal = require(permissions.KPIS_READ)):
    """How many customers have each value type, lifecycle stage, RFM segment and type, ABC class and status."""
    scope, dealers = scope_of(principal, dealer_id, network)
    counted = await handlers.distributions(session, dealers)
    if format == "csv":
        rows = [DistributionRow(measure=measure, value=value, customers=count)
                for measure, counts in counted.items() for value, count in counts.items()]
        return csv_response(rows, f"distributions-{scope}")
    return Distributions(scope=scope, **counted)


class DistributionRow(BaseModel):
    measure: str
    value: str
    customers: int
