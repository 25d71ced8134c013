"""A small generated dealer: the batch job scores it, and the KPIs agree with a direct computation."""

import random
import uuid
from datetime import date, timedelta

from crm_devstack.pytest_plugin import eventually

from .conftest import TODAY, registered, vehicle, visit

CUSTOMERS = 40


def whole_years(delivered: date, today: date) -> int:
    return today.year - delivered.year - ((today.month, today.day) < (delivered.month, delivered.day))


def generated_dealer(dealer: str, seed: int = 7):
    """Customers with one vehicle each, 0–12 years old, and a service history of their own rhythm."""
    rng = random.Random(seed)
    fleet = []
    for i in range(CUSTOMERS):
        customer, car = uuid.uuid4(), uuid.uuid4()
        delivered = TODAY - timedelta(days=rng.randrange(30, 12 * 365))
        visits = []
        day = delivered + timedelta(days=rng.randrange(20, 200))
        gap = rng.choice([120, 180, 365, 700])
        stops = TODAY - timedelta(days=rng.choice([0, 200, 500, 1000, 3000]))
        while day <= min(TODAY, stops):
            visits.append(visit(customer, car, day, dealer=dealer, amount=f"{rng.randrange(200, 5000)}.00",
                                margin=f"{rng.randrange(50, 1500)}.00"))
            day += timedelta(days=gap + rng.randrange(-30, 30))
        fleet.append({"customer": customer, "car": car, "delivered": delivered, "sold": i % 5 != 0,
                      "visits": visits})
    return fleet


async def test_batch_scores_the_dealer_and_kpis_match_a_direct_count(client, auth, publish, published):
    dealer = f"D-{uuid.uuid4().hex[:6]}"
    headers = auth(dealers=[dealer])
    fleet = generated_dealer(dealer)
    for entry in fleet:
        await publish(registered(entry["customer"], dealer),
                      vehicle(entry["customer"], entry["car"], entry["delivered"], dealer, sold=entry["sold"]),
                      *entry["visits"])
    expected_visits = sum(len(e["visits"]) for e in fleet)

    async def all_arrived():
        items = (await client.get("/api/v1/profiles", headers=headers, params={"limit": 500})).json()["items"]
        return items if len(items) == CUSTOMERS and sum(p["visits_total"] for p in items) == expected_visits \
            else None

    await eventually(all_arrived, timeout=90)
    job = await client.post("/api/v1/scoring/jobs", headers=headers, json={"dealer_id": dealer})
    assert job.status_code == 202, job.text

    async def done():
        response = await client.get(f"/api/v1/scoring/jobs/{job.json()['id']}", headers=headers)
        return response.json() if response.json()["status"] in ("done", "failed") else None

    finished = await eventually(done, timeout=60)
    assert finished["status"] == "done", finished
    scoring = (await client.get(f"/api/v1/scoring/settings/{dealer}", headers=headers)).json()
    assert scoring["settings"]["active_months"] == 12 and scoring["fitted_at"]
    assert set(scoring["fit"]["bgnbd"]) == {"r", "alpha", "a", "b"}

    profiles = (await client.get("/api/v1/profiles", headers=headers, params={"limit": 500})).json()["items"]
    with_visits = sorted((p for p in profiles if p["visits_total"]), key=lambda p: p["customer_id"])
    # RFM frequency and monetary quintiles, computed here directly: rank by value, ties by customer id
    for field, score in (("visits_total", "frequency_score"), ("spend_total", "monetary_score")):
        ranked = sorted(with_visits, key=lambda p: (float(p[field]), p["customer_id"]))
        expected = {p["customer_id"]: rank * 5 // len(ranked) + 1 for rank, p in enumerate(ranked)}
        assert {p["customer_id"]: p[score] for p in with_visits} == expected
    for profile in with_visits:
        assert profile["abc_class"] in "ABC" and profile["rfm_segment"] and profile["value_type"]
        assert 0 <= profile["p_alive"] <= 1 and float(profile["clv"]) >= 0
    assert {p["value_type"] for p in with_visits} >= {"vip", "abandon"}

    report = (await client.get("/api/v1/kpis/grasp-rate", headers=headers, params={"dealer_id": dealer})).json()
    assert report["by_age"] == direct_grasp(fleet)
    csv = await client.get("/api/v1/kpis/grasp-rate", headers=headers, params={"dealer_id": dealer,
                                                                                "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert lines[0] == "age_years,sold,grasped,grasp_rate,base,active,active_ratio" and len(lines) == 12

    history = (await client.get("/api/v1/kpis/grasp-rate/history", headers=headers,
                                params={"dealer_id": dealer})).json()
    this_month = [h for h in history if h["month"] == TODAY.replace(day=1).isoformat()]
    assert [(h["as_of"], h["age_years"], h["grasped"], h["active"]) for h in this_month] == [
        (TODAY.isoformat(), row["age_years"], row["grasped"], row["active"]) for row in report["by_age"]]

    month = TODAY.replace(day=1)
    churn = (await client.get("/api/v1/kpis/churn-rate", headers=headers,
                              params={"dealer_id": dealer, "month": month.strftime("%Y-%m")})).json()
    assert (churn["visited"], churn["churned"]) == direct_churn(fleet, month)

    spread = (await client.get("/api/v1/kpis/distributions", headers=headers, params={"dealer_id": dealer})).json()
    assert sum(spread["value_type"].values()) == CUSTOMERS
    assert spread["value_type"] == count(profiles, "value_type")

    denied = await client.get("/api/v1/kpis/grasp-rate", headers=headers, params={"network": "true"})
    assert denied.status_code == 403
    carmaker = auth(dealers=["*"], scope=["kpis:read", "network:read"])
    network = (await client.get("/api/v1/kpis/grasp-rate", headers=carmaker, params={"network": "true"})).json()
    assert network["scope"] == "network" and network["total"]["sold"] >= report["total"]["sold"]
    rescored = await published(with_visits[0]["customer_id"], "crm.customer.rescored.v1")
    assert rescored[-1].data["abc_class"] == with_visits[0]["abc_class"]


def direct_grasp(fleet) -> list[dict]:
    rows = {age: {"age_years": age, "sold": 0, "grasped": 0, "base": 0, "active": 0} for age in range(11)}
    year_ago = TODAY.replace(year=TODAY.year - 1)
    for entry in fleet:
        last = max((v.visited_on for v in entry["visits"]), default=None)
        active = (last or entry["delivered"]) >= year_ago
        row = rows[min(10, whole_years(entry["delivered"], TODAY))]
        if entry["sold"] or last:
            row["base"] += 1
            row["active"] += active
        if entry["sold"]:
            row["sold"] += 1
            row["grasped"] += active
    for row in rows.values():
        row["grasp_rate"] = round(row["grasped"] / row["sold"], 4) if row["sold"] else None
        row["active_ratio"] = round(row["active"] / row["base"], 4) if row["base"] else None
    return [rows[age] for age in range(11)]


def direct_churn(fleet, month: date) -> tuple[int, int]:
    cohort = date(month.year - (month.month <= 6), (month.month - 7) % 12 + 1, 1)
    visited = churned = 0
    for entry in fleet:
        days = [v.visited_on for v in entry["visits"]]
        if any((d.year, d.month) == (cohort.year, cohort.month) for d in days):
            visited += 1
            churned += not any(d > cohort and (d.year, d.month) != (cohort.year, cohort.month) for d in days)
    return visited, churned


def count(profiles, field) -> dict:
    counts = {}
    for profile in profiles:
        counts[profile[field] or "unscored"] = counts.get(profile[field] or "unscored", 0) + 1
    return dict(sorted(counts.items()))
