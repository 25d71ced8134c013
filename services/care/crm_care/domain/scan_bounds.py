"""Which vehicles can have anything due in a scan window: the bounds the database filters on first.

The due-scan over a million vehicles cannot afford the date rules in Python for every row, and most
rows have nothing due on any given day. These bounds are a superset of what `vehicle_occasions` finds
(every dealer's plan is folded in, rounding gets a day of slack); the rules themselves still decide,
in Python, for the few rows that pass.
"""

import calendar as months
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from crm_care.domain.plans import ScanWindow
from crm_care.domain.reminders import add_months

SLACK_DAYS = 1  # the database rounds a mileage forecast its own way


@dataclass(frozen=True)
class ServiceBound:
    """Vehicles whose estimated due date (time or mileage, whichever first) lies in [due_from, due_to]."""

    months: int
    km: int
    due_from: date
    due_to: date


@dataclass(frozen=True)
class VehicleBounds:
    insurance_expiries: list[date]
    warranty_ends: list[date]
    delivery_month_days: list[str]  # MM-DD of deliveries with an anniversary in the window
    registration_month_days: list[str]  # MM-DD of registrations with an inspection reminder in the window
    first_service: list[ServiceBound]
    maintenance: list[ServiceBound]


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def origin_month_days(targets: list[date], shifts_months: tuple[int, ...]) -> list[str]:
    """MM-DD of the dates that land on one of `targets` some whole years (+ a shift) later.

    A day the target month lacks lands on its last day (08-31 + 6 months is 02-28), so a target on the
    last day of a month also takes every later day of that month.
    """
    found: set[str] = set()
    for day in targets:
        last_day = day.day == months.monthrange(day.year, day.month)[1]
        for shift in shifts_months:
            origin = add_months(date(day.year, day.month, 1), -shift)
            for origin_day in range(day.day, 32 if last_day else day.day + 1):
                found.add(f"{origin.month:02d}-{origin_day:02d}")
    return sorted(found)


def vehicle_bounds(plans_in_use: list[dict[str, dict[str, Any]]], window: ScanWindow) -> VehicleBounds:
    """Bounds for every dealer plan in use (each a rule -> parameters map)."""
    insurance, warranty, anniversaries, inspections = set(), set(), set(), set()
    first_service, maintenance = set(), set()
    end = window.end
    for plans in plans_in_use:
        for name, found in (("insurance_renewal", insurance), ("warranty_expiry", warranty)):
            start = window.start(plans[name])
            found.update(day + timedelta(days=offset) for offset in plans[name]["days_before"]
                         for day in _days(start, end))
        anniversaries.update(origin_month_days(_days(window.start(plans["purchase_anniversary"]), end), (0,)))
        start = window.start(plans["annual_inspection"])
        for offset in plans["annual_inspection"]["days_before"]:
            targets = _days(start + timedelta(days=offset), end + timedelta(days=offset))
            inspections.update(origin_month_days(targets, (0, 6)))
        for name, found in (("first_service_due", first_service), ("maintenance_due", maintenance)):
            rule = plans[name]
            ahead = timedelta(days=rule["remind_days_before"])
            found.add(ServiceBound(rule["months"], rule["km"],
                                   window.start(rule) + ahead - timedelta(days=SLACK_DAYS),
                                   end + ahead + timedelta(days=SLACK_DAYS)))
    return VehicleBounds(sorted(insurance), sorted(warranty), sorted(anniversaries), sorted(inspections),
                         sorted(first_service, key=repr), sorted(maintenance, key=repr))
