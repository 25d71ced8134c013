"""The customer value analysis report for a dealer (or the network) and month, from segmentation's own data."""

from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_segmentation.domain import kpis, report
from crm_segmentation.domain.retention import add_months
from crm_segmentation.handlers import kpis as kpi_handlers
from crm_segmentation.models.kpis import AgeRowPublic
from crm_segmentation.models.report import (
    AgeComparison,
    ChurnRiskPublic,
    ClassSection,
    CustomerValueReport,
    GraspSection,
    MovementPublic,
    NotYetSection,
)
from crm_segmentation.repository import report as repository


def _public(row: kpis.AgeRow) -> AgeRowPublic:
    return AgeRowPublic(age_years=row.age_years, sold=row.sold, grasped=row.grasped, grasp_rate=row.grasp_rate,
                        base=row.base, active=row.active, active_ratio=row.active_ratio)


async def _grasp(session: AsyncSession, dealers: frozenset[str] | None, month: date, today: date) -> list[kpis.AgeRow]:
    rows = await kpi_handlers.history(session, dealers, month, month, today)
    per_dealer: dict[str, list[kpis.AgeRow]] = {}
    for row in rows:
        per_dealer.setdefault(row.dealer_id, []).append(row.row)
    return report.summed(list(per_dealer.values())) or [kpis.AgeRow(age) for age in kpis.AGES]


async def customer_value(session: AsyncSession, scope: str, dealers: frozenset[str] | None, month: date,
                         today: date, timezone: str) -> CustomerValueReport:
    as_of = report.month_end(month, today)
    year_ago = add_months(month, -12)
    now_rows, then_rows = await _grasp(session, dealers, month, today), await _grasp(session, dealers, year_ago, today)
    by_age = [AgeComparison(age_years=n.age_years, month=_public(n), year_ago=_public(t))
              for n, t in zip(now_rows, then_rows, strict=True)]
    grasp = GraspSection(as_of=as_of, year_ago_as_of=report.month_end(year_ago, today), by_age=by_age,
                         total=AgeComparison(age_years=-1, month=_public(kpis.total(now_rows)),
                                             year_ago=_public(kpis.total(then_rows))))
    current_month = month == today.replace(day=1)
    after = (await repository.current_classes(session, dealers) if current_month
             else await repository.classes_at(session, dealers, month))
    previous = add_months(month, -1)
    before = await repository.classes_at(session, dealers, previous)
    classes = [ClassSection(
        measure=measure,
        distribution=report.distribution(after, measure) if after is not None else None,
        movements=[MovementPublic(from_class=m.from_class, to_class=m.to_class, customers=m.customers)
                   for m in report.movements(before, after, measure)] if before is not None and after is not None
        else None) for measure in report.MEASURES]
    customers, vehicles, undated = await repository.counts(session, dealers, as_of, timezone)
    risks = [ChurnRiskPublic(customer_id=p.customer_id, churn_risk=p.churn_risk or "", p_alive=p.p_alive,
                             value_type=p.value_type, lifecycle_stage=p.lifecycle_stage, reasons=p.churn_reasons)
             for p in await repository.top_churn_risks(session, dealers, report.TOP_CHURN_RISKS)]
    return CustomerValueReport(
        scope=scope, month=month, as_of=as_of, customers=customers, vehicles=vehicles, vehicles_undated=undated,
        grasp=grasp, movements_since=previous, classes=classes, churn_risks=risks,
        not_yet=[NotYetSection(section=s, reason=r) for s, r in report.NOT_YET.items()])
