"""Dealer KPIs (DOMAIN.md): grasp rate and active ratio by vehicle age, and the OEM's monthly churn rate.

- grasp rate (客户掌握率): of the vehicles the dealer sold, the share still active (visited within the
  active window);
- active ratio (活跃客户比例): active vehicles over every vehicle in the base (sold or serviced);
- churn rate for month M: vehicles that visited in month M−6 and not since, over the distinct vehicles
  that visited in M−6.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from crm_segmentation.domain.retention import ACTIVE, add_months

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
