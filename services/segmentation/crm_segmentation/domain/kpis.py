"""Dealer KPIs (DOMAIN.md): grasp rate and active ratio by vehicle age, and the OEM's monthly churn rate.

- grasp rate (客户掌握率): of the vehicles the dealer sold, the share still active (visited within the
  active window);
- active ratio (活跃客户比例): active vehicles over every vehicle in the base (sold or serviced);
- churn rate for month M: vehicles that visited in month M−6 and not since, over the distinct vehicles
  that visited in M−6.

Any past month's grasp rate and active ratio come from dates alone (`grasp_as_of`: deliveries and service
visits up to the month's last day), so a dealer whose history was imported has all of it at once.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from crm_segmentation.domain.retention import ACTIVE, Thresholds, add_months

AGES = list(range(11))  # 0 … 9 and 10 for "10 years and older"


@dataclass(frozen=True)
class BaseVehicle:
    age_years: int | None
    sold_by_dealer: bool
    serviced: bool
    status: str


@dataclass
class AgeRow:
    age_years: int
    sold: int = 0
    grasped: int = 0
    base: int = 0
    active: int = 0

    @property
    def grasp_rate(self) -> float | None:
        return round(self.grasped / self.sold, 4) if self.sold else None

    @property
    def active_ratio(self) -> float | None:
        return round(self.active / self.base, 4) if self.base else None


def grasp_by_age(vehicles: Iterable[BaseVehicle]) -> list[AgeRow]:
    rows = {age: AgeRow(age) for age in AGES}
    for vehicle in vehicles:
        if vehicle.age_years is None or not (vehicle.sold_by_dealer or vehicle.serviced):
            continue
        row = rows[vehicle.age_years]
        active = vehicle.status == ACTIVE
        row.base += 1
        row.active += active
        if vehicle.sold_by_dealer:
            row.sold += 1
            row.grasped += active
    return [rows[age] for age in AGES]


def total(rows: list[AgeRow]) -> AgeRow:
    summed = AgeRow(-1)
    for row in rows:
        summed.sold += row.sold
        summed.grasped += row.grasped
        summed.base += row.base
        summed.active += row.active
    return summed


@dataclass(frozen=True)
class ChurnRate:
    month: date
    cohort_month: date
    visited: int
    churned: int

    @property
    def rate(self) -> float | None:
        return round(self.churned / self.visited, 4) if self.visited else None


def churn_rate(month: date, visits: Iterable[tuple[object, date]]) -> ChurnRate:
    """`visits` are (vehicle, visit day) pairs up to the end of `month` (later ones are ignored)."""
    cohort_start = add_months(month.replace(day=1), -6)
    cohort_end = add_months(cohort_start, 1)
    month_end = add_months(month.replace(day=1), 1)
    in_cohort, came_back = set(), set()
    for vehicle, day in visits:
        if cohort_start <= day < cohort_end:
            in_cohort.add(vehicle)
        elif cohort_end <= day < month_end:
            came_back.add(vehicle)
    return ChurnRate(month.replace(day=1), cohort_start, len(in_cohort), len(in_cohort - came_back))


@dataclass(frozen=True)
class Fleet:
    """A dealer's vehicles and the dates of their service visits, as columns (vehicles without a delivery
    date have no age and take no part). `service_vehicle` indexes into the vehicle columns."""

    delivered: np.ndarray  # datetime64[D], one per vehicle
    sold_by_dealer: np.ndarray  # bool, one per vehicle
    service_vehicle: np.ndarray  # int, one per service visit
    service_day: np.ndarray  # datetime64[D], one per service visit


def _year_month_day(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(months since year 0 as year * 12 + month - 1, day of month) for datetime64[D] values."""
    months = days.astype("datetime64[M]")
    return months.astype(np.int64), (days - months.astype("datetime64[D]")).astype(np.int64) + 1


def grasp_as_of(fleet: Fleet, as_of: date, thresholds: Thresholds) -> list[AgeRow]:
    """`grasp_by_age` on `as_of`, from dates alone: a vehicle belongs to the base once delivered; its
    last service is the latest service visit on or before `as_of`; status and age are those of that day
    (the same rules as `retention.retention_status` and `vehicle_age_years`, worked out for every vehicle
    at once)."""
    day = np.datetime64(as_of, "D")
    present = fleet.delivered <= day
    # latest service per vehicle up to `as_of`: order visits by (vehicle, day), find where each vehicle's
    # run ends; a leading sentinel (vehicle -1) keeps the search defined for vehicles without a visit
    counted = fleet.service_day <= day
    order = np.lexsort((fleet.service_day[counted], fleet.service_vehicle[counted]))
    vehicles = np.concatenate([[-1], fleet.service_vehicle[counted][order]])
    days = np.concatenate([[day], fleet.service_day[counted][order]])
    every = np.arange(len(fleet.delivered))
    ends = np.searchsorted(vehicles, every, side="right") - 1
    serviced = vehicles[ends] == every
    last_service = np.where(serviced, days[ends], fleet.delivered)
    since_month, since_day = _year_month_day(last_service)
    today_month, today_day = _year_month_day(np.array([day]))
    window_end = since_month + thresholds.active_months
    # today <= add_months(since, k): an earlier month, or the same month on a day not past since's day
    active = (today_month < window_end) | ((today_month == window_end) & (today_day <= since_day))
    delivered_month, delivered_day = _year_month_day(fleet.delivered)
    months_old = today_month - delivered_month - (today_day < delivered_day)
    ages = np.clip(months_old // 12, 0, AGES[-1])
    in_base = present & (fleet.sold_by_dealer | serviced)
    rows = []
    for age in AGES:
        at_age = in_base & (ages == age)
        sold = at_age & fleet.sold_by_dealer
        rows.append(AgeRow(age, sold=int(sold.sum()), grasped=int((sold & active).sum()), base=int(at_age.sum()),
                           active=int((at_age & active).sum())))
    return rows


def month_ends(first: date, last: date, today: date) -> list[tuple[date, date]]:
    """(month, the day its figures are as of) from `first` to `last`: a month's last day, or today for the
    current month; months after today are left out."""
    months = []
    month = first.replace(day=1)
    while month <= last and month <= today:
        months.append((month, min(add_months(month, 1) - timedelta(days=1), today)))
        month = add_months(month, 1)
    return months
