"""When a vehicle is due for something: first service, maintenance, inspection, insurance, warranty.

Defaults follow the FAW Toyota practice in DOMAIN.md; every figure is a plan parameter a dealer can change.
"""

import calendar
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Odometer:
    km: int
    read_on: date


def average_daily_km(first: Odometer, last: Odometer) -> float | None:
    """The vehicle's own pace between two readings; None when they cannot tell one (same day, wound back)."""
    days = (last.read_on - first.read_on).days
    if days <= 0 or last.km < first.km:
        return None
    return (last.km - first.km) / days


# A car that barely moves reaches its next service by time long before by distance (and a forecast of
# millions of days is no date at all).
FORECAST_DAYS = 36_500


def day_reaching(km_target: int, last: Odometer, daily_km: float | None) -> date | None:
    """The day the odometer should show `km_target`, at the vehicle's own pace (None: not within a century)."""
    if daily_km is None or daily_km <= 0:
        return None
    remaining = km_target - last.km
    if remaining <= 0:
        return last.read_on
    days = remaining / daily_km
    return last.read_on + timedelta(days=int(days)) if days <= FORECAST_DAYS else None


def first_service_due(delivery: date, last: Odometer | None, daily_km: float | None,
                      months: int = 6, km: int = 10_000) -> date:
    """首保: whichever comes first, `months` after delivery or `km` on the odometer."""
    by_time = add_months(delivery, months)
    if last is None:
        return by_time
    if daily_km is None:
        daily_km = average_daily_km(Odometer(0, delivery), last)
    by_distance = day_reaching(km, last, daily_km)
    return min(by_time, by_distance) if by_distance else by_time


def maintenance_due(last_service: date, last_service_km: int | None, last: Odometer | None,
                    daily_km: float | None, months: int = 6, km: int = 10_000) -> date:
    """定保: `months` after the last service or `km` more on the odometer, whichever comes first."""
    by_time = add_months(last_service, months)
    if last_service_km is None or last is None:
        return by_time
    by_distance = day_reaching(last_service_km + km, last, daily_km)
    return min(by_time, by_distance) if by_distance else by_time


def inspection_schedule(registration: date) -> Iterator[date]:
    """年检 for private cars of up to 9 seats under the current rules (2022 reform), in order, forever.

    Label-only checks at years 2 and 4, an on-site inspection at year 6, then every 2 years to
    year 10, yearly to year 15, every 6 months after that.
    """
    for year in (2, 4, 6, 8, 10, 11, 12, 13, 14, 15):
        yield add_months(registration, 12 * year)
    months = 15 * 12 + 6
    while True:
        yield add_months(registration, months)
        months += 6


def inspection_dates(registration: date, until: date) -> list[date]:
    return list(itertools.takewhile(lambda day: day <= until, inspection_schedule(registration)))


def next_inspection(registration: date, on_or_after: date) -> date:
    return next(day for day in inspection_schedule(registration) if day >= on_or_after)


def days_before(target: date, offsets: list[int]) -> list[tuple[int, date]]:
    """Reminder days ahead of a date (insurance 90/60/30/7, warranty 30)."""
    return [(offset, target - timedelta(days=offset)) for offset in sorted(offsets, reverse=True)]


def anniversary(delivery: date, on_or_after: date) -> tuple[int, date] | None:
    """The next purchase anniversary (years owned, day); none before the first."""
    for year in (on_or_after.year, on_or_after.year + 1):
        years = year - delivery.year
        if years < 1:
            continue
        day = add_months(delivery, 12 * years)
        if day >= on_or_after:
            return years, day
    return None
