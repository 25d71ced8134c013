"""Through the gateway: a dealer's first day. Ten years of customers, vehicles and visits come in through the
public import API; what is long past creates no call, no greeting and no survey invitation, while the work
the imported state calls for (a maintenance due in the coming weeks, an insurance expiring next month) is
planned."""

import json
import random
from calendar import monthrange
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from crm_devstack.demo import china_vin, generate
from crm_devstack.pytest_plugin import eventually

pytestmark = [pytest.mark.timeout(600), pytest.mark.slow]

DEALER = "D-E2E-HISTORY"
MARKED = 12  # own customers whose upcoming work is known; their rows come last in each file
SURVEYED = ("purchase", "service")  # closed visits of these kinds are surveyed (SSI, CSI)
SURVEY_WINDOW_DAYS = 14
CALL_WINDOW_DAYS = 3  # delivery and service follow-up calls: day 1/3, made up to 2/3 days late


async def admin_headers(client: httpx.AsyncClient, stack) -> dict[str, str]:
    response = await client.post("/auth/token", data={"grant_type": "password", "username": "admin",
                                                      "password": stack.admin_password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day (as care counts a maintenance interval)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def latest_service(today: date) -> date:
    return add_months(today, -6) + timedelta(days=10)


def marked_history(today: date) -> tuple[list[dict], list[dict], list[dict]]:
    """Customers delivered in 2019, serviced every six months since, the latest service six months less ten
    days ago (the next one is due in ten days), insurance expiring in 40 days."""
    run = random.randrange(10_000)
    customers, vehicles, visits = [], [], []
    for n in range(MARKED):
        mobile = f"188{run:04d}{n:04d}"
        vin = china_vin(900_000 + run % 900 * 100 + n, 2019)  # six digits of serial
        delivered = date(2019, 3, 1) + timedelta(days=n)
        latest = latest_service(today)
        customers.append({"name": f"历史{n}", "mobile": mobile, "gender": "female"})
        vehicles.append({"vin": vin, "customer_mobile": mobile, "brand": "Toyota", "model": "Corolla",
                         "model_year": 2019, "delivery_date": delivered.isoformat(),
                         "registration_date": delivered.isoformat(),
                         "insurance_expiry": (today + timedelta(days=40)).isoformat(), "sold_by_dealer": True})
        services = [add_months(latest, -6 * k) for k in range(20) if add_months(latest, -6 * k) > delivered]
        visits.append({"order_number": f"SO-H{run}-{n}", "customer_mobile": mobile, "vin": vin, "kind": "purchase",
                       "subkind": "new_car", "visited_on": delivered.isoformat(), "amount": "139800.00"})
        for k, on in enumerate(sorted(services)):
            visits.append({"order_number": f"RO-H{run}-{n}-{k}", "customer_mobile": mobile, "vin": vin,
                           "kind": "service", "subkind": "first_service" if k == 0 else "maintenance",
                           "visited_on": on.isoformat(), "amount": "680.00",
                           "odometer_km": (on - delivered).days * 30})
    return customers, vehicles, visits


async def import_file(client, headers, kind: str, rows: list[dict], today: date) -> dict:
    body = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows
                   if all(date.fromisoformat(row[k]) <= today for k in ("visited_on", "delivery_date") if k in row))
    started = await client.post("/api/v1/imports", params={"kind": kind, "dealer_id": DEALER},
                                headers={**headers, "Content-Type": "application/x-ndjson"}, content=body.encode())
    assert started.status_code in (200, 201, 202), started.text

    async def done():
        job = (await client.get(f"/api/v1/imports/{started.json()['id']}", headers=headers)).json()
        return job if job["status"] == "done" else None

    job = await eventually(done, timeout=240, interval=0.5)
    assert job["failed"] == 0, job
    return job


async def every(client, headers, path: str, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        answer = await client.get(path, headers=headers, params={**params, "limit": 500,
                                                                  **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        items += answer.json()["items"]
        cursor = answer.json().get("next_cursor")
        if not cursor:
            return items


async def test_ten_years_of_history_create_no_stale_work_and_the_upcoming_work_is_planned(stack):
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()  # the dealer's day
    dealer = generate(seed=12, count=40)
    mine = marked_history(today)
    files = {"customers": dealer.customers + mine[0], "vehicles": dealer.vehicles + mine[1],
             "visits": dealer.visits + mine[2]}
    visits = [v for v in files["visits"] if date.fromisoformat(v["visited_on"]) <= today]
    assert min(date.fromisoformat(v["visited_on"]) for v in visits) < today - timedelta(days=3000)
    surveyable = [v for v in visits if v["kind"] in SURVEYED
                  and (today - date.fromisoformat(v["visited_on"])).days <= SURVEY_WINDOW_DAYS]

    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=60) as client:
        headers = await admin_headers(client, stack)
        for kind, rows in files.items():
            await import_file(client, headers, kind, rows, today)

        async def upcoming_work():
            answer = await client.get("/api/v1/care/plans/dry-run", headers=headers,
                                      params={"dealer_id": DEALER, "days": 30})
            assert answer.status_code == 200, answer.text
            planned = answer.json()["actions"]
            insured = {a["vehicle_id"] for a in planned if a["rule"] == "insurance_renewal"
                       and a["variables"]["due_on"] == (today + timedelta(days=40)).isoformat()}
            maintenance = [a for a in planned if a["rule"] == "maintenance_due" and a["vehicle_id"] in insured]
            return (insured, maintenance) if len(insured) == len(maintenance) == MARKED else None

        # the marked rows come last, on every partition they land on: once care plans from their latest
        # visit, it has seen the history before them
        insured, maintenance = await eventually(upcoming_work, timeout=240, interval=0.5)
        # one maintenance reminder per vehicle, from its latest service (not one per past visit), 7 days ahead
        due = add_months(latest_service(today), 6)
        assert {(a["variables"]["basis"], a["variables"]["due_on"], a["due_on"]) for a in maintenance} == {
            (latest_service(today).isoformat(), due.isoformat(), (due - timedelta(days=7)).isoformat())}
        assert {a["vehicle_id"] for a in maintenance} == insured

        async def invitations():
            found = [i for i in await every(client, headers, "/api/v1/surveys/invitations")
                     if i["dealer_id"] == DEALER]
            return found if len(found) >= len(surveyable) else None

        invited = await eventually(invitations, timeout=240, interval=0.5) if surveyable else []
        tasks = [task for status in ("open", "done", "cancelled")
                 for task in await every(client, headers, "/api/v1/care/tasks", dealer_id=DEALER, status=status)]

    # a survey only for the visits of the last two weeks, however many years were imported
    assert len(invited) == len(surveyable)
    assert all(datetime.fromisoformat(i["created_at"]).date() >= today - timedelta(days=1) for i in invited)
    # no call about a delivery or a service years ago: each is for a day at most a few days back
    oldest_call = datetime.combine(today - timedelta(days=CALL_WINDOW_DAYS), datetime.min.time(),
                                   ZoneInfo("Asia/Shanghai"))
    calls = [t for t in tasks if t["reason"] in ("delivery_follow_up", "service_follow_up")]
    assert all(datetime.fromisoformat(t["due_at"]) >= oldest_call for t in calls), calls
    recent_visits = [v for v in visits if (today - date.fromisoformat(v["visited_on"])).days <= 10]
    assert len(calls) <= 2 * len(recent_visits)
    assert all(datetime.fromisoformat(t["due_at"]).date() >= today - timedelta(days=31) for t in tasks), tasks
