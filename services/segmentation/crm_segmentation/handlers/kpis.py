"""Dealer KPIs computed from the vehicle profiles and visits: today's, any past month's, churn, distributions."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_segmentation.domain import kpis, retention
from crm_segmentation.handlers.context import load_rules
from crm_segmentation.metrics import GRASP_RATE
from crm_segmentation.repository import profiles as profile_repository
from crm_segmentation.repository import scoring as repository


async def grasp_by_dealer(session: AsyncSession, dealers: frozenset[str] | None,
                          today: date) -> dict[str, list[kpis.AgeRow]]:
    """Statuses are worked out for today with each dealer's own thresholds, not read from stored state."""
    vehicles = await profile_repository.dealer_vehicles(session, dealers)
    rules = {}
    by_dealer = defaultdict(list)
    for vehicle in vehicles:
        if vehicle.dealer_id not in rules:
            rules[vehicle.dealer_id] = (await load_rules(session, vehicle.dealer_id)).thresholds
        status, months = retention.retention_status(vehicle.last_service_on, vehicle.delivery_date, today,
                                                    rules[vehicle.dealer_id])
        by_dealer[vehicle.dealer_id].append(kpis.BaseVehicle(
            age_years=retention.vehicle_age_years(vehicle.delivery_date, today),
            sold_by_dealer=vehicle.sold_by_dealer, serviced=vehicle.last_service_on is not None,
            status=status if months is not None else "unknown"))
    return {dealer: kpis.grasp_by_age(rows) for dealer, rows in sorted(by_dealer.items())}


async def snapshot(session: AsyncSession, dealer_id: str, today: date) -> None:
    rows = (await grasp_by_dealer(session, frozenset([dealer_id]), today)).get(dealer_id, [])
    for row in rows:
        if row.grasp_rate is not None:
            GRASP_RATE.labels(dealer_id, str(row.age_years)).set(row.grasp_rate)
    await repository.save_snapshot(session, dealer_id, today.replace(day=1), [
        {"age_years": r.age_years, "sold": r.sold, "grasped": r.grasped, "base": r.base, "active": r.active}
        for r in rows])


@dataclass(frozen=True)
class MonthRow:
    dealer_id: str
    month: date
    as_of: date
    row: kpis.AgeRow


async def history(session: AsyncSession, dealers: frozenset[str] | None, since: date, until: date,
                  today: date) -> list[MonthRow]:
    """Each month's figures as of its last day (today for this month), from delivery and service dates:
    an imported dealer has its whole history at once, not only the months a batch has run in."""
    vehicles, services = await profile_repository.dealer_fleet(session, dealers)
    index: dict[str, dict] = defaultdict(dict)
    columns: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    for vehicle_id, dealer_id, delivered, sold in vehicles:
        index[dealer_id][vehicle_id] = len(index[dealer_id])
        columns[dealer_id][0].append(delivered)
        columns[dealer_id][1].append(sold)
    visits: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    dealer_of = {vehicle_id: dealer_id for vehicle_id, dealer_id, _, _ in vehicles}
    for vehicle_id, day in services:
        dealer_id = dealer_of[vehicle_id]
        visits[dealer_id][0].append(index[dealer_id][vehicle_id])
        visits[dealer_id][1].append(day)
    months = kpis.month_ends(since, until, today)
    rows = []
    for dealer_id in sorted(columns):
        thresholds = (await load_rules(session, dealer_id)).thresholds
        fleet = kpis.Fleet(delivered=np.array(columns[dealer_id][0], dtype="datetime64[D]"),
                           sold_by_dealer=np.array(columns[dealer_id][1], dtype=bool),
                           service_vehicle=np.array(visits[dealer_id][0], dtype=np.int64),
                           service_day=np.array(visits[dealer_id][1], dtype="datetime64[D]"))
        for month, as_of in months:
            rows += [MonthRow(dealer_id, month, as_of, row) for row in kpis.grasp_as_of(fleet, as_of, thresholds)]
    return rows


async def churn(session: AsyncSession, dealers: frozenset[str] | None, month: date) -> kpis.ChurnRate:
    first = month.replace(day=1)
    visits = await profile_repository.dealer_visit_days(session, dealers, retention.add_months(first, -6),
                                                        retention.add_months(first, 1))
    return kpis.churn_rate(first, visits)


async def distributions(session: AsyncSession, dealers: frozenset[str] | None) -> dict[str, dict[str, int]]:
    counted = {"value_type": defaultdict(int), "lifecycle_stage": defaultdict(int), "rfm_segment": defaultdict(int),
               "rfm_type": defaultdict(int), "abc_class": defaultdict(int), "retention_status": defaultdict(int)}
    for profile in await profile_repository.live_profiles(session, dealers):
        for field, counts in counted.items():
            counts[getattr(profile, field) or "unscored"] += 1
    return {field: dict(sorted(counts.items())) for field, counts in counted.items()}

