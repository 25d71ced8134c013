"""Per-vehicle retention status, first-service status and mileage, from the dates of its visits.

Months are whole calendar months between two dates (a visit on 3 March is 1 month old on 3 April).
Thresholds are dealer settings: the defaults are the manual's (active ≤ 12, dormant 12–24, lost > 24).
"""

from dataclasses import dataclass
from datetime import date, timedelta

ACTIVE, DORMANT, LOST = "active", "dormant", "lost"
FIRST_SERVICE_UPCOMING, FIRST_SERVICE_DUE, FIRST_SERVICE_DONE, FIRST_SERVICE_LOST = (
    "upcoming", "due", "done", "lost")


@dataclass(frozen=True)
class Thresholds:
    active_months: int = 12
    lost_months: int = 24
    first_service_due_months: int = 6
    first_service_due_km: int = 10_000
    first_service_lost_months: int = 12
    service_interval_months: int = 6  # the usual interval when a vehicle has no history of its own


def months_between(earlier: date, later: date) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    for candidate in range(day.day, 27, -1):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    return date(year, month, min(day.day, 28))


def retention_status(last_service: date | None, delivered: date | None, today: date,
                     thresholds: Thresholds) -> tuple[str, int | None]:
    """(status, whole months since the last service visit); a vehicle never serviced counts from delivery.

    Active up to the day the active window ends (12 months and 1 day is dormant, though still "12 months").
    """
    since = last_service or delivered
    if since is None:
        return ACTIVE, None
    months = months_between(since, today)
    if today <= add_months(since, thresholds.active_months):
        return ACTIVE, months
    return (DORMANT if today <= add_months(since, thresholds.lost_months) else LOST), months


def usual_interval_months(service_dates: list[date], thresholds: Thresholds) -> float:
    """Mean gap between the vehicle's own service visits, else the dealer's maintenance interval."""
    ordered = sorted(set(service_dates))
    if len(ordered) < 2:
        return float(thresholds.service_interval_months)
    return (ordered[-1] - ordered[0]).days / (len(ordered) - 1) / 30.4375


def status_reason(status: str, months: int | None, usual_months: float, never_serviced: bool) -> str:
    if months is None:
        return "no delivery date or service visit yet"
    since = "since delivery, never serviced" if never_serviced else "since last service"
    return f"{status}: {months} months {since}; usual interval {round(usual_months)} months"


def average_daily_km(readings: list[tuple[date, int]], delivered: date | None) -> float | None:
    """From the first to the last reading; a single reading counts from delivery at 0 km."""
    ordered = sorted(readings)
    if delivered is not None and (not ordered or ordered[0][0] > delivered):
        ordered = [(delivered, 0), *ordered]
    if len(ordered) < 2:
        return None
    (first_day, first_km), (last_day, last_km) = ordered[0], ordered[-1]
    days = (last_day - first_day).days
    return round((last_km - first_km) / days, 2) if days > 0 and last_km >= first_km else None


def first_service_status(delivered: date | None, first_service_on: date | None, today: date,
                         daily_km: float | None, thresholds: Thresholds) -> str | None:
    """首保: due at the due months or due km (estimated from the daily mileage), whichever comes first;
    lost when not done within the lost months of delivery."""
    if first_service_on is not None:
        return FIRST_SERVICE_DONE
    if delivered is None:
        return None
    if today >= add_months(delivered, thresholds.first_service_lost_months):
        return FIRST_SERVICE_LOST
    due = add_months(delivered, thresholds.first_service_due_months)
    if daily_km:
        due = min(due, delivered + timedelta(days=int(thresholds.first_service_due_km / daily_km)))
    return FIRST_SERVICE_DUE if today >= due else FIRST_SERVICE_UPCOMING


def vehicle_age_years(delivered: date | None, today: date, cap: int = 10) -> int | None:
    """Whole years since delivery (车龄), the last bucket is `cap` and older."""
    if delivered is None:
        return None
    return min(cap, max(0, months_between(delivered, today) // 12))
