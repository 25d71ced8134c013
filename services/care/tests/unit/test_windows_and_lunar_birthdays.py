"""Work is created only while it is still due, by the fact's own date; lunar birthdays on the right day."""

import uuid
from datetime import date

from crm_care.domain import calendar
from crm_care.domain.plans import (
    DEFAULT_PLANS,
    CustomerView,
    ScanWindow,
    VehicleView,
    customer_occasions,
    follow_up_calls,
    vehicle_occasions,
)
from crm_care.domain.reminders import Odometer
from crm_care.domain.scan_bounds import origin_month_days
from crm_care.domain.templates import default_template, render

PLANS = {rule: dict(params) for rule, params in DEFAULT_PLANS.items()}


def test_lunar_day_30_falls_on_the_29th_in_a_year_the_month_is_short():
    # the 7th lunar month has 30 days in 2025 and 29 in 2026
    assert calendar.next_birthday("07-30", lunar=True, on_or_after=date(2025, 1, 1)) == date(2025, 9, 21)
    assert calendar.next_birthday("07-30", lunar=True, on_or_after=date(2026, 1, 1)) == date(2026, 9, 10)
    assert calendar.lunar_to_solar(2026, 7, 29) == date(2026, 9, 10)


def test_a_lunar_birthday_in_the_12th_month_falls_in_the_next_solar_year():
    # 12-20 of lunar year 2025 is 2026-02-07; asked on 2026-01-01 that is the next one
    assert calendar.next_birthday("12-20", lunar=True, on_or_after=date(2026, 1, 1)) == date(2026, 2, 7)


def test_a_month_day_that_is_no_day_is_skipped_not_a_crash():
    for broken in ("12-31", "13-01", "00-10", "ab-cd", "", "02-30"):
        day = calendar.next_birthday(broken, lunar=True, on_or_after=date(2026, 11, 28))
        assert day is None or day >= date(2026, 11, 28)
    assert calendar.next_birthday("12-31", lunar=True, on_or_after=date(2026, 11, 28)) is None
    assert calendar.next_birthday("04-31", lunar=False, on_or_after=date(2026, 1, 1)) == date(2026, 4, 30)


def test_a_lunar_birthday_is_greeted_by_its_lunar_month_day_not_the_solar_one():
    # born 1990-05-20 = lunar 04-26; in 2026 that is 06-11, not 05-20
    lunar = CustomerView(uuid.uuid4(), "D1", birthday="05-20", lunar_birthday=True, lunar_birthday_md="04-26")
    solar = CustomerView(uuid.uuid4(), "D1", birthday="05-20")
    june = ScanWindow(date(2026, 5, 1), grace_days=0, ahead_days=60)
    assert [o.due_on for o in customer_occasions(lunar, PLANS, june) if o.rule == "birthday"] == [date(2026, 6, 11)]
    assert [o.due_on for o in customer_occasions(solar, PLANS, june) if o.rule == "birthday"] == [date(2026, 5, 20)]
    unknown = CustomerView(uuid.uuid4(), "D1", birthday="05-20", lunar_birthday=True)  # lunar month-day not sent
    assert [o for o in customer_occasions(unknown, PLANS, june) if o.rule == "birthday"] == []


def test_a_greeting_is_late_by_at_most_its_window():
    customer = CustomerView(uuid.uuid4(), "D1", birthday="11-27")
    yesterday = customer_occasions(customer, PLANS, ScanWindow(date(2026, 11, 28), grace_days=7))
    assert [o.due_on for o in yesterday if o.rule == "birthday"] == [date(2026, 11, 27)]
    days_ago = customer_occasions(customer, PLANS, ScanWindow(date(2026, 11, 30), grace_days=7))
    assert [o for o in days_ago if o.rule == "birthday"] == []
    # National Day greeting is not sent a week late after a downtime
    october = customer_occasions(customer, PLANS, ScanWindow(date(2026, 10, 6), grace_days=7))
    assert [o for o in october if o.rule == "festival"] == []


def test_follow_up_calls_only_while_still_due():
    visit, customer = uuid.uuid4(), uuid.uuid4()

    def calls(visited_on: date, today: date, **params) -> list[date]:
        plan = {**PLANS["delivery_follow_up"], **params}
        return [o.due_on for o in follow_up_calls("delivery_follow_up", customer, "D1", visit, visited_on, None,
                                                  plan, today)]

    # delivered Tuesday 2026-11-24: day 1 call Wednesday, day 3 call Friday
    assert calls(date(2026, 11, 24), date(2026, 11, 24)) == [date(2026, 11, 25), date(2026, 11, 27)]
    # recorded on the Monday after: the Wednesday call is 5 days late, the Friday one 3 days: both dropped
    assert calls(date(2026, 11, 24), date(2026, 11, 30)) == []
    assert calls(date(2026, 11, 24), date(2026, 11, 28)) == [date(2026, 11, 27)]
    assert calls(date(2016, 12, 1), date(2026, 11, 28)) == []  # ten years of imported history
    assert calls(date(2016, 12, 1), date(2026, 11, 28), window_days=5000) != []  # the window is the dealer's


def test_reminders_come_from_the_latest_state_and_history_long_past_gives_none():
    today = date(2026, 11, 28)
    window = ScanWindow(today, grace_days=7, ahead_days=1)
    # last serviced 2026-06-05, 6 months later is 2026-12-05: the reminder goes out 7 days before
    serviced = VehicleView(uuid.uuid4(), uuid.uuid4(), "D1", delivery_date=date(2018, 3, 1), first_service_done=True,
                           last_service_on=date(2026, 6, 5), last_service_km=80_000,
                           first_odometer=Odometer(2_000, date(2018, 4, 1)),
                           last_odometer=Odometer(80_000, date(2026, 6, 5)))
    found = [o for o in vehicle_occasions(serviced, PLANS, window) if o.rule == "maintenance_due"]
    assert [(o.due_on, o.variables["due_on"], o.variables["basis"]) for o in found] == [
        (date(2026, 11, 28), "2026-12-05", "2026-06-05")]
    # delivered in 2017, never seen for a first service: nothing about a first service nine years late
    forgotten = VehicleView(uuid.uuid4(), uuid.uuid4(), "D1", delivery_date=date(2017, 5, 28))
    assert [o.rule for o in vehicle_occasions(forgotten, PLANS, window)] == []


def test_inspection_and_anniversary_bounds_cover_month_ends():
    # registered 08-31: six months on is 02-28, so a window on 02-28 must take 08-29..08-31 too
    found = origin_month_days([date(2026, 2, 28)], (0, 6))
    assert {"02-28", "08-28", "08-29", "08-30", "08-31", "02-29"} <= set(found)


def test_festival_greetings_read_as_a_person_would_write_them():
    customer = CustomerView(uuid.uuid4(), "D1")
    festival = next(o for o in customer_occasions(customer, PLANS, ScanWindow(date(2026, 2, 17), grace_days=0))
                    if o.rule == "festival")
    english = default_template("festival", "sms", "en")
    chinese = default_template("festival", "sms", "zh-CN")
    assert render(english.body, {**festival.variables, "name": "Wang Wei"}) == "Happy Spring Festival, Wang Wei!"
    assert render(chinese.body, {**festival.variables, "name": "王伟"}) == "王伟您好，春节快乐！"
    queued_before = {"festival": "mid_autumn", "festival_name": "中秋节", "name": "Li Na"}
    assert render(english.body, queued_before) == "Happy Mid Autumn, Li Na!"
