"""Chinese calendars: lunar dates, the lunar festivals, public holidays and make-up working days.

`chinese-calendar` carries the State Council's yearly holiday notices (so it knows make-up working
days) but only up to the last published year; past that, the rule-based `holidays` package answers.
"""

import functools
from calendar import monthrange
from datetime import date, timedelta

import chinese_calendar
import holidays
from lunardate import LunarDate

from crm_kit.problem_texts import Invalid

FESTIVALS = {
    "spring_festival": "春节",
    "mid_autumn": "中秋节",
    "national_day": "国庆节",
}
FESTIVALS_EN = {
    "spring_festival": "Spring Festival",
    "mid_autumn": "Mid-Autumn Festival",
    "national_day": "National Day",
}


@functools.lru_cache(maxsize=4096)  # a few hundred distinct dates serve a million customers
def lunar_to_solar(year: int, month: int, day: int) -> date:
    """The solar date of a lunar month/day in the lunar year that starts in solar `year`.

    A lunar month has 29 or 30 days, changing from year to year: a day the month lacks that year falls
    on the month's last day (how people keep such birthdays). A leap month counts as its month, so the
    greeting goes out in the regular one.
    """
    for candidate in range(min(day, 30), 0, -1):
        try:
            return LunarDate(year, month, candidate).to_solar_date()
        except ValueError:
            continue
    raise Invalid("lunar_day_unknown", "no lunar day {month}-{day}", month=f"{month:02d}", day=f"{day:02d}")


def solar_to_lunar(day: date) -> tuple[int, int]:
    lunar = LunarDate.from_solar_date(day.year, day.month, day.day)
    return lunar.month, lunar.day


@functools.lru_cache(maxsize=256)
def festival_date(name: str, year: int) -> date:
    if name == "spring_festival":
        return lunar_to_solar(year, 1, 1)
    if name == "mid_autumn":
        return lunar_to_solar(year, 8, 15)
    if name == "national_day":
        return date(year, 10, 1)
    raise ValueError(f"unknown festival {name!r}")


def parse_month_day(mm_dd: str | None) -> tuple[int, int] | None:
    """(month, day) of an MM-DD that names a day of some calendar, or None: bad data must not stop a scan."""
    try:
        month, day = (int(part) for part in (mm_dd or "").split("-"))
    except ValueError:
        return None
    return (month, day) if 1 <= month <= 12 and 1 <= day <= 31 else None


def next_birthday(birthday_mm_dd: str, lunar: bool, on_or_after: date) -> date | None:
    """The next day the customer celebrates, or None when the month-day is no day at all.

    `birthday_mm_dd` is the month and day in the calendar the customer celebrates by: a lunar one moves
    with the lunar calendar each year, day 30 of a 29-day month falling on its 29th; a solar 02-29 is
    kept on 02-28 in common years.
    """
    parsed = parse_month_day(birthday_mm_dd)
    if parsed is None or (lunar and parsed[1] > 30):
        return None
    month, day = parsed
    for year in (on_or_after.year - 1, on_or_after.year, on_or_after.year + 1):
        candidate = lunar_to_solar(year, month, day) if lunar else _solar(year, month, day)
        if candidate >= on_or_after:
            return candidate
    raise AssertionError("a birthday falls within any two years")


def _solar(year: int, month: int, day: int) -> date:
    """A day the month lacks (02-29 in a common year, 04-31) is kept on the month's last day."""
    return date(year, month, min(day, monthrange(year, month)[1]))


def is_workday(day: date) -> bool:
    """A working day in mainland China, make-up Saturdays/Sundays (调休) included."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the State Council has not published yet
        return day.weekday() < 5 and day not in holidays.China(years=day.year)


def holiday_name(day: date) -> str | None:
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        return name if on_holiday and name else None
    except NotImplementedError:
        return holidays.China(years=day.year).get(day)


def next_workday(day: date) -> date:
    """Staff calls due on a public holiday or weekend move to the next working day."""
    while not is_workday(day):
        day += timedelta(days=1)
    return day
