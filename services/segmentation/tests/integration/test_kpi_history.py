"""24 months of grasp rate and active ratio from three years of dated facts, the moment they have landed."""

import calendar
import random
import uuid
from datetime import date, timedelta

from crm_devstack.pytest_plugin import eventually

from .conftest import TODAY, days_ago, registered, vehicle, visit


def shifted(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def direct(fleet: list[dict], as_of: date) -> list[dict]:
    """Counted by hand: base = delivered and (sold here or serviced by then); active = serviced (or
    delivered, if never serviced) within 12 months before `as_of`; age in whole years on `as_of`."""
    rows = {age: {"age_years": age, "sold": 0, "grasped": 0, "base": 0, "active": 0} for age in range(11)}
    for car in fleet:
        if car["delivered"] > as_of:
            continue
        last = max((d for d in car["services"] if d <= as_of), default=None)
        if not (car["sold"] or last):
            continue
        active = as_of <= shifted(last or car["delivered"], 12)
        years = as_of.year - car["delivered"].year - ((as_of.month, as_of.day) < (car["delivered"].month,
                                                                                  car["delivered"].day))
        row = rows[min(10, years)]
        row["base"] += 1
        row["active"] += active
        if car["sold"]:
            row["sold"] += 1
            row["grasped"] += active
    return [rows[age] for age in range(11)]


async def test_two_years_of_monthly_history_from_dated_facts(client, auth, publish):
    dealer = f"D-{uuid.uuid4().hex[:6]}"
    headers = auth(dealers=[dealer])
    rng = random.Random(12)
    fleet, payloads = [], []
    for n in range(30):
        customer, car = uuid.uuid4(), uuid.uuid4()
        delivered = days_ago(rng.randrange(30, 9 * 365))
        # three years of service visits, more or less regular, some owners stopping along the way
        services = sorted({max(delivered, days_ago(rng.randrange(0, 3 * 365))) + timedelta(days=1)
                           for _ in range(rng.randrange(0, 6))})
        services = [d for d in services if d <= TODAY]
        fleet.append({"delivered": delivered, "sold": n % 4 != 0, "services": services})
        payloads += [registered(customer, dealer), vehicle(customer, car, delivered, dealer, sold=n % 4 != 0)]
        payloads += [visit(customer, car, day, dealer=dealer) for day in services]
        # a purchase visit is no service: it keeps no vehicle active
        payloads.append(visit(customer, car, delivered, kind="purchase", subkind="new_car", dealer=dealer))
    await publish(*payloads)
    visits = len(payloads) - 2 * len(fleet)

    async def landed():
        profiles = (await client.get("/api/v1/profiles", headers=headers, params={"limit": 100})).json()["items"]
        return sum(p["visits_total"] for p in profiles) == visits

    await eventually(landed, timeout=60)
    first = shifted(TODAY.replace(day=1), -23)
    response = await client.get("/api/v1/kpis/grasp-rate/history", headers=headers, params={
        "dealer_id": dealer, "since": first.strftime("%Y-%m"), "until": TODAY.strftime("%Y-%m")})
    assert response.status_code == 200
    history = response.json()
    months = sorted({h["month"] for h in history})
    assert len(months) == 24 and months[0] == first.isoformat()
    for month in months:
        rows = [h for h in history if h["month"] == month]
        as_of = date.fromisoformat(rows[0]["as_of"])
        assert as_of == min(shifted(date.fromisoformat(month), 1) - timedelta(days=1), TODAY)
        assert [{k: r[k] for k in ("age_years", "sold", "grasped", "base", "active")} for r in rows] == \
            direct(fleet, as_of), month
    assert any(h["grasped"] for h in history) and any(h["sold"] > h["grasped"] for h in history)

    backwards = await client.get("/api/v1/kpis/grasp-rate/history", headers=headers,
                                 params={"dealer_id": dealer, "since": "2025-05", "until": "2024-01"})
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["name"] == "since"
