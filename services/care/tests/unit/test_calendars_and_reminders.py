"""Date rules against real calendars: lunar dates, festivals, make-up days, inspections, mileage."""

import uuid
from datetime import date

from crm_care.domain import calendar, reminders
from crm_care.domain.plans import (
    DEFAULT_PLANS,
    CustomerView,
    ScanWindow,
    VehicleView,
    check_params,
    customer_occasions,
    still_relevant,
    vehicle_occasions,
)
from crm_care.domain.reminders import Odometer

PLANS = {rule: dict(params) for rule, params in DEFAULT_PLANS.items()}


def test_spring_festival_follows_the_lunar_calendar_in_two_different_years():
    assert calendar.festival_date("spring_festival", 2025) == date(2025, 1, 29)
    assert calendar.festival_date("spring_festival", 2026) == date(2026, 2, 17)
    assert calendar.festival_date("mid_autumn", 2025) == date(2025, 10, 6)
    assert calendar.festival_date("mid_autumn", 2026) == date(2026, 9, 25)


def test_lunar_birthday_moves_each_year_and_a_solar_one_does_not():
    # Born 1990-05-20, which was the 26th day of the 4th lunar month.
    assert calendar.solar_to_lunar(date(1990, 5, 20)) == (4, 26)
    assert calendar.next_birthday("04-26", lunar=True, on_or_after=date(2025, 1, 1)) == date(2025, 5, 23)
    assert calendar.next_birthday("04-26", lunar=True, on_or_after=date(2026, 1, 1)) == date(2026, 6, 11)
    assert calendar.next_birthday("05-20", lunar=False, on_or_after=date(2026, 5, 21)) == date(2027, 5, 20)
    assert calendar.next_birthday("02-29", lunar=False, on_or_after=date(2026, 1, 1)) == date(2026, 2, 28)


def test_make_up_working_days_and_holidays_from_the_state_council_calendar():
    assert calendar.holiday_name(date(2026, 2, 17)) == "Spring Festival"
    assert not calendar.is_workday(date(2026, 2, 17))
    assert calendar.is_workday(date(2026, 2, 14))  # a Saturday worked in exchange (调休)
    assert calendar.next_workday(date(2025, 10, 1)) == date(2025, 10, 9)  # National Day + Mid-Autumn week


def test_years_the_official_calendar_does_not_cover_fall_back_to_the_rule_based_one():
    assert not calendar.is_workday(date(2027, 2, 6))  # Spring Festival 2027
    assert calendar.is_workday(date(2027, 3, 2))


def test_annual_inspection_schedule_for_a_private_car():
    registered = date(2015, 3, 10)
    due = reminders.inspection_dates(registered, date(2031, 12, 31))
    assert [d.isoformat() for d in due] == [
        "2017-03-10", "2019-03-10", "2021-03-10", "2023-03-10", "2025-03-10",  # years 2, 4, 6, 8, 10
        "2026-03-10", "2027-03-10", "2028-03-10", "2029-03-10", "2030-03-10",  # yearly to year 15
        "2030-09-10", "2031-03-10", "2031-09-10",  # every six months after
    ]
    assert reminders.next_inspection(registered, date(2026, 3, 11)) == date(2027, 3, 10)


def test_maintenance_date_from_the_vehicles_own_mileage():
    first, last = Odometer(12_000, date(2026, 1, 1)), Odometer(15_000, date(2026, 3, 2))  # 50 km a day
    pace = reminders.average_daily_km(first, last)
    assert pace == 50
    # serviced at 14,000 km on 2026-02-10: at 50 km a day 24,000 km comes 180 days after the last reading,
    # later than six months; at 100 km a day it comes after 90 days
    assert reminders.maintenance_due(date(2026, 2, 10), 14_000, last, pace) == date(2026, 8, 10)  # 6 months first
    assert reminders.maintenance_due(date(2026, 2, 10), 14_000, last, 100) == date(2026, 5, 31)  # distance first
    assert reminders.average_daily_km(last, first) is None


def test_first_service_whichever_comes_first():
    delivered = date(2026, 1, 15)
    assert reminders.first_service_due(delivered, None, None) == date(2026, 7, 15)
    heavy_user = Odometer(6_000, date(2026, 3, 16))  # 100 km a day since delivery
    assert reminders.first_service_due(delivered, heavy_user, None) == date(2026, 4, 25)


def test_insurance_reminders_90_60_30_7_days_before_expiry_and_anniversary():
    vehicle = VehicleView(uuid.uuid4(), uuid.uuid4(), "D1", delivery_date=date(2024, 6, 1),
                          insurance_expiry=date(2026, 12, 31))
    found = vehicle_occasions(vehicle, PLANS, ScanWindow(date(2026, 1, 1), grace_days=0, ahead_days=364))
    insurance = sorted(o.due_on.isoformat() for o in found if o.rule == "insurance_renewal")
    assert insurance == ["2026-10-02", "2026-11-01", "2026-12-01", "2026-12-24"]
    assert [o.variables["years"] for o in found if o.rule == "purchase_anniversary"] == [2]
    assert len({o.key for o in found}) == len(found)


SEPTEMBER_AND_OCTOBER = ScanWindow(date(2026, 9, 1), grace_days=0, ahead_days=60)


def test_greetings_on_a_lunar_birthday_and_the_festivals():
    # born 1985-09-29 (solar), the 15th day of the 8th lunar month: greeted at Mid-Autumn, not on 09-29
    customer = CustomerView(uuid.uuid4(), "D1", birthday="09-29", lunar_birthday=True, lunar_birthday_md="08-15")
    found = customer_occasions(customer, PLANS, SEPTEMBER_AND_OCTOBER)
    assert {(o.rule, o.due_on.isoformat()) for o in found} == {
        ("birthday", "2026-09-25"), ("festival", "2026-09-25"), ("festival", "2026-10-01")}
    erased = CustomerView(uuid.uuid4(), "D1", birthday="08-15", erased=True)
    assert customer_occasions(erased, PLANS, SEPTEMBER_AND_OCTOBER) == []


def test_a_dealers_plan_parameters_are_checked_before_the_scan_uses_them():
    assert check_params("insurance_renewal", {"days_before": [45, 7]}) == {}
    assert check_params("insurance_renewal", {"days_before": "30", "weeks": 2}) == {
        "days_before": "a non-empty list of days from 0 to 3650", "weeks": "not a parameter of this rule"}
    assert check_params("maintenance_due", {"km": True, "months": 6})["km"].startswith("must be a whole number")
    assert check_params("festival", {"festivals": ["spring_festival", "halloween"]})


def test_a_reminder_that_became_moot_is_not_sent():
    vehicle = VehicleView(uuid.uuid4(), uuid.uuid4(), "D1", delivery_date=date(2026, 1, 1),
                          insurance_expiry=date(2027, 1, 1), last_service_on=date(2026, 6, 1))
    created = date(2026, 6, 2)
    assert still_relevant("first_service_due", {}, vehicle, None, created)
    assert not still_relevant("first_service_due", {}, vehicle, date(2026, 6, 3), created)  # appointment booked
    done = VehicleView(vehicle.vehicle_id, vehicle.customer_id, "D1", first_service_done=True)
    assert not still_relevant("first_service_due", {}, done, None, created)
    assert still_relevant("insurance_renewal", {"due_on": "2027-01-01"}, vehicle, None, created)
    assert not still_relevant("insurance_renewal", {"due_on": "2026-01-01"}, vehicle, None, created)  # renewed
    assert not still_relevant("maintenance_due", {"basis": "2025-12-01"}, vehicle, None, created)  # serviced since
    assert not still_relevant("warranty_expiry", {"due_on": "2027-01-01"}, None, None, created)
