"""Through the gateway: a customer who keeps the lunar birthday is greeted on this year's solar date of the
lunar day they were born on, not on the solar month-day of the birth date; a solar birthday stays put."""

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from lunardate import LunarDate

from crm_devstack.pytest_plugin import eventually

pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]

DEALER = "D-E2E-LUNAR"


async def admin_headers(client: httpx.AsyncClient, stack) -> dict[str, str]:
    response = await client.post("/auth/token", data={"grant_type": "password", "username": "admin",
                                                      "password": stack.admin_password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def born_on_a_lunar_day_coming_up(today: date) -> tuple[date, date]:
    """(a birth date, the solar day its lunar birthday falls on in the coming weeks), chosen so that the solar
    month-day of the birth date is another day: greeting on that one would be wrong. (Lunar and solar
    calendars realign every 19 years, so not every birth year will do.)"""
    for ahead in range(10, 40):
        day = today + timedelta(days=ahead)
        lunar = LunarDate.from_solar_date(day.year, day.month, day.day)
        if lunar.isLeapMonth or lunar.day > 28:
            continue
        for year in (1985, 1979, 1992):
            born = LunarDate(year, lunar.month, lunar.day).to_solar_date()
            if (born.month, born.day) not in ((day.month, day.day), (2, 29)):
                return born, day
    raise AssertionError("some lunar day in the next weeks differs from its solar month-day")


async def register(client, headers, name: str, born: date, lunar: bool) -> str:
    created = await client.post("/api/v1/customers", headers=headers, json={
        "name": name, "mobile": f"186{random.randint(0, 99_999_999):08d}", "dealer_id": DEALER,
        "birth_date": born.isoformat(), "lunar_birthday": lunar})
    assert created.status_code == 201, created.text
    return created.json()["id"]


async def test_care_greets_a_lunar_birthday_on_its_lunar_day_and_a_solar_one_on_its_date(stack):
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()  # the dealer's day
    lunar_born, lunar_day = born_on_a_lunar_day_coming_up(today)
    solar_day = today + timedelta(days=12)
    solar_born = solar_day.replace(year=1990) if (solar_day.month, solar_day.day) != (2, 29) else date(1990, 2, 28)
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=15) as client:
        headers = await admin_headers(client, stack)
        lunar_customer = await register(client, headers, "王芳", lunar_born, lunar=True)
        solar_customer = await register(client, headers, "李强", solar_born, lunar=False)

        async def greetings():
            answer = await client.get("/api/v1/care/plans/dry-run", headers=headers,
                                      params={"dealer_id": DEALER, "days": 60})
            assert answer.status_code == 200, answer.text  # never a 500, whatever month-days are stored
            found = {a["customer_id"]: a["due_on"] for a in answer.json()["actions"] if a["rule"] == "birthday"}
            return found if {lunar_customer, solar_customer} <= set(found) else None

        greeted = await eventually(greetings, timeout=60)
    assert greeted[lunar_customer] == lunar_day.isoformat()
    assert greeted[lunar_customer] != lunar_born.replace(year=lunar_day.year).isoformat()
    assert greeted[solar_customer] == solar_day.isoformat()
