"""Chinese calendars: lunar dates, the lunar festivals, public holidays and make-up working days.

`chinese-calendar` carries the State Council's yearly holiday notices (so it knows make-up working
days) but only up to the last published year; past that, the rule-based `holidays` package answers.
"""

import functools
from datetime import date, timedelta

import chinese_calendar
import holidays
from lunardate import LunarDate

FESTIVALS = {
    "spring_festival": "春节",
    "mid_autumn": "中秋节",
    "national_day": "国庆节",
}


@functools.lru_cache(maxsize=4096)  # a few hundred distinct dates serve a million customers
def lunar_to_solar(year: int, month: int, day: int) -> date:
    """The solar date of a lunar month/day in the lunar year that starts in solar `year`.

    A lunar day 30 that the month lacks that year falls back to day 29 (how people keep such birthdays).
    """
    try:
        return LunarDate(year, month, day).to_solar_date()
    except ValueError:
        return LunarDate(year, month, day - 1).to_solar_date()


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


def next_birthday(birthday_mm_dd: str, lunar: bool, on_or_after: date) -> date:
    """The next day the customer celebrates; a lunar birthday moves with the lunar calendar each year.

    `birthday_mm_dd` is the month and day in the calendar the customer celebrates by; a solar 02-29
    is kept on 02-28 in common years.
    """
    month, day = (int(part) for part in birthday_mm_dd.split("-"))
    for year in (on_or_after.year - 1, on_or_after.year, on_or_after.year + 1):
        candidate = lunar_to_solar(year, month, day) if lunar else _solar(year, month, day)
        if candidate >= on_or_after:
            return candidate
    raise AssertionError("a birthday falls within any two years")


def _solar(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        return date(year, month, day - 1)


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
