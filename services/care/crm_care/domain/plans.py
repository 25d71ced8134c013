"""Care plans: each rule turns what we know of a customer or vehicle into occasions to act on.

An occasion's `key` is rule × customer/vehicle × occasion: the scheduler stores it under a unique
index, so scanning twice, restarting or running several replicas never doubles an action.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from crm_care.domain import calendar, reminders
from crm_care.domain.reminders import Odometer

Action = Literal["message", "task"]

# `window_days`: how long after its own day an occasion is still worth acting on. The day is the fact's
# (the visit, the birthday, the due date), never the day its event arrived, so imported history and
# late events create no work that is already stale.
DEFAULT_PLANS: dict[str, dict[str, Any]] = {
    "first_service_due": {"enabled": True, "months": 6, "km": 10_000, "remind_days_before": 14, "window_days": 7},
    "maintenance_due": {"enabled": True, "months": 6, "km": 10_000, "remind_days_before": 7, "window_days": 7},
    "insurance_renewal": {"enabled": True, "days_before": [90, 60, 30, 7], "window_days": 7},
    "warranty_expiry": {"enabled": True, "days_before": [30], "window_days": 7},
    "annual_inspection": {"enabled": True, "days_before": [30], "window_days": 7},
    "birthday": {"enabled": True, "window_days": 1},
    "festival": {"enabled": True, "festivals": ["spring_festival", "mid_autumn", "national_day"], "window_days": 1},
    "purchase_anniversary": {"enabled": True, "window_days": 1},
    "first_service_lost": {"enabled": True, "lost_after_months": 12, "window_days": 30},
    "win_back": {"enabled": True, "statuses": ["dormant", "lost"], "window_days": 30},
    "delivery_follow_up": {"enabled": True, "days_after": [1, 3], "window_days": 2},
    "service_follow_up": {"enabled": True, "days_after": [3], "window_days": 3},
    "survey_invitation": {"enabled": True},
    "complaint_follow_up": {"enabled": True, "first_contact_hours": 24},
}
# Reminders that keep a car safe and under warranty get through the frequency cap (they still count).
CRITICAL_RULES = frozenset({"first_service_due", "maintenance_due", "annual_inspection", "warranty_expiry"})


def check_params(rule: str, params: dict[str, Any]) -> dict[str, str]:
    """What is wrong with a dealer's parameters for a rule, by parameter name (empty when nothing)."""
    problems: dict[str, str] = {}
    defaults = DEFAULT_PLANS[rule]
    for name, value in params.items():
        default = defaults.get(name)
        if name not in defaults:
            problems[name] = "not a parameter of this rule"
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                problems[name] = "must be true or false"
        elif isinstance(default, int):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100_000:
                problems[name] = "must be a whole number from 0 to 100000"
        elif name == "statuses":
            if not isinstance(value, list) or not set(value) <= {"dormant", "lost"}:
                problems[name] = "a list of: dormant, lost"
        elif name == "festivals":
            if not isinstance(value, list) or not set(value) <= set(calendar.FESTIVALS):
                problems[name] = f"a list of: {', '.join(calendar.FESTIVALS)}"
        elif not isinstance(value, list) or not value or not all(
                isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 3650 for v in value):
            problems[name] = "a non-empty list of days from 0 to 3650"
    return problems


def plan_params(rule: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    return {**DEFAULT_PLANS[rule], **(overrides or {})}


def still_due(day: date, today: date, window_days: int) -> bool:
    """Whether an occasion on `day` is still worth acting on `today` (a future one always is)."""
    return day + timedelta(days=window_days) >= today


@dataclass(frozen=True)
class ScanWindow:
    """The days a scan acts on: from each rule's window (capped by the scan's catch-up grace) to `end`."""

    today: date
    grace_days: int = 7
    ahead_days: int = 1

    @property
    def end(self) -> date:
        return self.today + timedelta(days=self.ahead_days)

    def start(self, rule: dict[str, Any]) -> date:
        return self.today - timedelta(days=min(self.grace_days, rule.get("window_days", self.grace_days)))


@dataclass(frozen=True)
class CustomerView:
    customer_id: uuid.UUID
    dealer_id: str
    birthday: str | None = None  # solar MM-DD
    lunar_birthday: bool = False
    lunar_birthday_md: str | None = None  # MM-DD in the lunar calendar, from the birth year
    erased: bool = False


@dataclass(frozen=True)
class VehicleView:
    vehicle_id: uuid.UUID
    customer_id: uuid.UUID
    dealer_id: str
    delivery_date: date | None = None
    registration_date: date | None = None
    warranty_end: date | None = None
    insurance_expiry: date | None = None
    first_odometer: Odometer | None = None
    last_odometer: Odometer | None = None
    first_service_done: bool = False
    last_service_on: date | None = None
    last_service_km: int | None = None


@dataclass(frozen=True)
class Occasion:
    rule: str
    key: str
    due_on: date
    action: Action
    customer_id: uuid.UUID
    dealer_id: str
    vehicle_id: uuid.UUID | None = None
    purpose: str = "care"
    critical: bool = False
    variables: dict[str, Any] = field(default_factory=dict)


def daily_km(vehicle: VehicleView) -> float | None:
    if vehicle.first_odometer and vehicle.last_odometer:
        pace = reminders.average_daily_km(vehicle.first_odometer, vehicle.last_odometer)
        if pace is not None:
            return pace
    if vehicle.delivery_date and vehicle.last_odometer:
        return reminders.average_daily_km(Odometer(0, vehicle.delivery_date), vehicle.last_odometer)
    return None


def vehicle_occasions(vehicle: VehicleView, plans: dict[str, dict[str, Any]], window: ScanWindow) -> list[Occasion]:
    """Occasions of one vehicle whose action day falls in its rule's window (the due-scan's inner loop).

    Everything is computed from the vehicle's latest state (last service, latest odometer), so a vehicle
    with twenty past services gets one next-maintenance reminder, and history long past gets none.
    """
    found: list[Occasion] = []
    end = window.end

    def add(rule: str, occasion: str, act_on: date, **variables) -> None:
        found.append(Occasion(rule=rule, key=f"{rule}:{vehicle.vehicle_id}:{occasion}", due_on=act_on,
                              action="message", customer_id=vehicle.customer_id, dealer_id=vehicle.dealer_id,
                              vehicle_id=vehicle.vehicle_id, critical=rule in CRITICAL_RULES, variables=variables))

    pace = daily_km(vehicle)
    rule = plans["first_service_due"]
    if rule["enabled"] and vehicle.delivery_date and not vehicle.first_service_done:
        due = reminders.first_service_due(vehicle.delivery_date, vehicle.last_odometer, pace,
                                          rule["months"], rule["km"])
        act_on = due - timedelta(days=rule["remind_days_before"])
        if window.start(rule) <= act_on <= end:  # keys are built only for what is due: most vehicles have nothing
            add("first_service_due", due.isoformat(), act_on, due_on=due.isoformat())
    rule = plans["maintenance_due"]
    if rule["enabled"] and vehicle.last_service_on:
        due = reminders.maintenance_due(vehicle.last_service_on, vehicle.last_service_km, vehicle.last_odometer,
                                        pace, rule["months"], rule["km"])
        act_on = due - timedelta(days=rule["remind_days_before"])
        if window.start(rule) <= act_on <= end:
            add("maintenance_due", due.isoformat(), act_on, due_on=due.isoformat(),
                basis=vehicle.last_service_on.isoformat())
    for name, target in (("insurance_renewal", vehicle.insurance_expiry), ("warranty_expiry", vehicle.warranty_end)):
        rule = plans[name]
        start = window.start(rule)
        if rule["enabled"] and target and target >= start:
            for offset, day in reminders.days_before(target, rule["days_before"]):
                if start <= day <= end:
                    add(name, f"{target.isoformat()}:{offset}", day, due_on=target.isoformat(), days_left=offset)
    rule = plans["annual_inspection"]
    if rule["enabled"] and vehicle.registration_date:
        start = window.start(rule)
        for offset in rule["days_before"]:
            inspection = reminders.next_inspection(vehicle.registration_date, start + timedelta(days=offset))
            if inspection - timedelta(days=offset) <= end:
                add("annual_inspection", f"{inspection.isoformat()}:{offset}", inspection - timedelta(days=offset),
                    due_on=inspection.isoformat())
    rule = plans["purchase_anniversary"]
    if rule["enabled"] and vehicle.delivery_date:
        upcoming = reminders.anniversary(vehicle.delivery_date, window.start(rule))
        if upcoming:
            years, day = upcoming
            if day <= end:
                add("purchase_anniversary", day.isoformat(), day, years=years)
    return found


def customer_occasions(customer: CustomerView, plans: dict[str, dict[str, Any]],
                       window: ScanWindow) -> list[Occasion]:
    """Greetings: the customer's birthday (solar, or lunar by its lunar month-day) and the dealer's festivals."""
    if customer.erased:
        return []
    found: list[Occasion] = []

    def greeting(rule: str, occasion: str, day: date, **variables) -> None:
        if window.start(plans[rule]) <= day <= window.end:
            found.append(Occasion(rule=rule, key=f"{rule}:{customer.customer_id}:{occasion}", due_on=day,
                                  action="message", customer_id=customer.customer_id, dealer_id=customer.dealer_id,
                                  variables=variables))

    if plans["birthday"]["enabled"]:
        # a lunar birthday is kept by the lunar month-day of the birth date; the solar MM-DD says nothing of it
        celebrated = customer.lunar_birthday_md if customer.lunar_birthday else customer.birthday
        day = calendar.next_birthday(celebrated, customer.lunar_birthday, window.start(plans["birthday"])) \
            if celebrated else None
        if day is not None:
            greeting("birthday", day.isoformat(), day, lunar=customer.lunar_birthday)
    if plans["festival"]["enabled"]:
        for name in plans["festival"]["festivals"]:
            for year in range(window.start(plans["festival"]).year, window.end.year + 1):
                greeting("festival", f"{name}:{year}", calendar.festival_date(name, year), festival=name,
                         festival_name=calendar.FESTIVALS[name], festival_name_en=calendar.FESTIVALS_EN[name])
    return found


def follow_up_calls(rule: str, customer_id: uuid.UUID, dealer_id: str, visit_id: uuid.UUID, visited_on: date,
                    vehicle_id: uuid.UUID | None, params: dict[str, Any], today: date) -> list[Occasion]:
    """回访 calls after a delivery or a service, each on a working day, and only those still due `today`:
    a visit from an imported history (or entered weeks late) gets no call."""
    calls = []
    for days in params["days_after"]:
        day = calendar.next_workday(visited_on + timedelta(days=days))
        if still_due(day, today, params["window_days"]):
            calls.append(Occasion(rule=rule, key=f"{rule}:{visit_id}:{days}", due_on=day, action="task",
                                  customer_id=customer_id, dealer_id=dealer_id, vehicle_id=vehicle_id,
                                  variables={"visit_id": str(visit_id), "days_after": days}))
    return calls


def still_relevant(occasion_rule: str, variables: dict[str, Any], vehicle: VehicleView | None,
                   appointment_on: date | None, created_on: date) -> bool:
    """False when a reminder became moot before it went out: service done, dates changed, appointment booked."""
    if vehicle is None:
        return occasion_rule not in {"first_service_due", "maintenance_due", "insurance_renewal",
                                     "warranty_expiry", "annual_inspection"}
    if appointment_on and appointment_on >= created_on and occasion_rule in {"first_service_due", "maintenance_due"}:
        return False
    if occasion_rule == "first_service_due":
        return not vehicle.first_service_done
    if occasion_rule == "maintenance_due":
        return vehicle.last_service_on is not None and vehicle.last_service_on.isoformat() == variables.get("basis")
    if occasion_rule == "insurance_renewal":
        return vehicle.insurance_expiry is not None and vehicle.insurance_expiry.isoformat() == variables.get("due_on")
    if occasion_rule == "warranty_expiry":
        return vehicle.warranty_end is not None and vehicle.warranty_end.isoformat() == variables.get("due_on")
    return True
