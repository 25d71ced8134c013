"""The demo dealer `make run` loads through the public import API, so every screen has something to show.

A generated dealer D-DEMO-001: a few thousand customers, their cars delivered over the last ten years, and
ten years of visits in which owners of older cars come back less often (the manual's "high-age churn"), so
grasp rate and active ratio fall with vehicle age as they do at real dealers. Everything comes from one
seeded generator and a fixed calendar, so re-running the import finds every row unchanged; a visit whose
date has not come yet is held back until it has, so nothing is ever dated in the future.
"""

import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx

DEMO_DEALER = "D-DEMO-001"
CUSTOMERS = 2000
FIRST_DELIVERY, LAST_DAY = date(2016, 12, 1), date(2026, 11, 20)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超"]
MOBILE_PREFIXES = ["138", "139", "150", "158", "186", "189", "135", "137"]
CITIES = [("吉林省", "长春"), ("天津市", "天津"), ("四川省", "成都"), ("广东省", "广州"), ("北京市", "北京")]
MODELS = [("Toyota", "Corolla", 139_800), ("Toyota", "RAV4", 189_800), ("Toyota", "Crown", 269_800),
          ("Toyota", "Camry", 179_800), ("Toyota", "Highlander", 259_800), ("Toyota", "bZ4X", 199_800)]
CHANNELS = ["showroom", "referral", "online", "event", "phone"]
VIN_VALUES = {**{str(d): d for d in range(10)}, **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
              **dict(zip("JKLMN", range(1, 6), strict=True)), "P": 7, "R": 9,
              **dict(zip("STUVWXYZ", range(2, 10), strict=True))}
VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


@dataclass
class DemoDealer:
    customers: list[dict] = field(default_factory=list)
    vehicles: list[dict] = field(default_factory=list)
    visits: list[dict] = field(default_factory=list)


def china_vin(serial: int, year: int) -> str:
    """FAW Toyota's WMI (LFM) with a valid check digit, as every China-made VIN must have."""
    year_code = "ABCDEFGHJKLMNPRSTVWXY123456789"[(year - 2010) % 30]
    body = f"LFMA1{serial % 1000:03d}0{year_code}F{serial:06d}"
    check = sum(VIN_VALUES[c] * w for c, w in zip(body, VIN_WEIGHTS, strict=True)) % 11
    return body[:8] + ("X" if check == 10 else str(check)) + body[9:]


def return_probability(age_years: float) -> float:
    """How likely an owner is to come back for a due service, falling as the car ages."""
    return max(0.12, 0.95 - 0.11 * age_years)


def generate(seed: int = 7, count: int = CUSTOMERS) -> DemoDealer:
    rng = random.Random(seed)
    dealer = DemoDealer()
    span = (LAST_DAY - FIRST_DELIVERY).days
    for index in range(count):
        mobile = f"{rng.choice(MOBILE_PREFIXES)}{index:04d}{rng.randrange(10_000):04d}"
        province, city = rng.choice(CITIES)
        dealer.customers.append({
            "name": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))), "mobile": mobile,
            "gender": rng.choice(("male", "female")), "province": province, "city": city,
            "source_channel": rng.choice(CHANNELS), "lunar_birthday": rng.random() < 0.3,
            "birth_date": (date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 40))).isoformat(),
            "tags": ["club"] if rng.random() < 0.1 else [],
        })
        for car in range(2 if rng.random() < 0.2 else 1):
            delivered = FIRST_DELIVERY + timedelta(days=rng.randrange(span))
            brand, model, price = rng.choice(MODELS)
            serial = index * 2 + car
            vin = china_vin(serial, delivered.year)
            dealer.vehicles.append({
                "vin": vin, "customer_mobile": mobile, "brand": brand, "model": model,
                "model_year": delivered.year, "delivery_date": delivered.isoformat(),
                "registration_date": delivered.isoformat(),
                "purchase_price": str(price), "warranty_end": delivered.replace(year=delivered.year + 3).isoformat()
                if not (delivered.month == 2 and delivered.day == 29) else None,
                "sold_by_dealer": True})
            dealer.visits += list(_visits(rng, serial, mobile, vin, delivered, price))
    dealer.vehicles = [{k: v for k, v in row.items() if v is not None} for row in dealer.vehicles]
    return dealer


def _visits(rng: random.Random, serial: int, mobile: str, vin: str, delivered: date, price: int) -> Iterator[dict]:
    km_per_day = rng.uniform(25, 70)
    number = 0

    def visit(kind, subkind, on, amount, margin_rate):
        nonlocal number
        number += 1
        return {"order_number": f"RO-{serial:06d}-{number:03d}", "customer_mobile": mobile, "vin": vin,
                "kind": kind, "subkind": subkind, "visited_on": on.isoformat(), "amount": f"{amount:.2f}",
                "margin": f"{amount * margin_rate:.2f}", "odometer_km": int((on - delivered).days * km_per_day),
                "advisor_id": f"SA-{rng.randrange(1, 9):02d}"}

    yield visit("purchase", "new_car", delivered, price, rng.uniform(0.03, 0.08))
    on, first = delivered + timedelta(days=rng.randrange(150, 200)), True
    while on <= LAST_DAY:
        age = (on - delivered).days / 365
        if rng.random() < return_probability(age):
            amount = 0 if first else rng.uniform(450, 1400) * (1 + age / 5)
            yield visit("service", "first_service" if first else "maintenance", on, amount, 0.35)
            if rng.random() < 0.15:
                yield visit("service", rng.choice(("repair", "accident")), on + timedelta(days=rng.randrange(20, 90)),
                            rng.uniform(800, 9000), 0.3)
            if rng.random() < 0.1:
                yield visit("parts", "accessories", on, rng.uniform(200, 2000), 0.4)
        first = False
        on += timedelta(days=rng.randrange(170, 200))
    for year in range(1, 11):
        renewal = delivered + timedelta(days=365 * year - rng.randrange(0, 20))
        if renewal <= LAST_DAY and rng.random() < return_probability(year) * 0.8:
            yield visit("insurance", "renewal", renewal, rng.uniform(3500, 7500), 0.12)


def _ndjson(rows: list[dict], today: date) -> Iterator[bytes]:
    for row in rows:
        if all(date.fromisoformat(row[k]) <= today for k in ("visited_on", "delivery_date") if k in row):
            yield (json.dumps(row, ensure_ascii=False) + "\n").encode()


def _run_import(client: httpx.Client, headers: dict, kind: str, rows: list[dict]) -> dict:
    started = client.post("/api/v1/imports", params={"kind": kind, "dealer_id": DEMO_DEALER},
                          headers={**headers, "Content-Type": "application/x-ndjson"},
                          content=_ndjson(rows, date.today())).raise_for_status().json()
    while True:
        job = client.get(f"/api/v1/imports/{started['id']}", headers=headers).raise_for_status().json()
        if job["status"] == "done":
            return job
        time.sleep(0.5)


def load_demo(gateway: str, username: str, password: str, count: int = CUSTOMERS) -> int:
    """Import the demo dealer; a re-run finds every row there already and changes nothing."""
    dealer = generate(count=count)
    with httpx.Client(base_url=gateway, timeout=120) as client:
        token = client.post("/auth/token", data={"grant_type": "password", "username": username,
                                                 "password": password}).raise_for_status().json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        jobs = {kind: _run_import(client, headers, kind, rows) for kind, rows in (
            ("customers", dealer.customers), ("vehicles", dealer.vehicles), ("visits", dealer.visits))}
    stored = {kind: job["created"] + job["updated"] + job["unchanged"] for kind, job in jobs.items()}
    created = sum(job["created"] for job in jobs.values())
    print(f"Demo dealer {DEMO_DEALER}: {stored['customers']} customers registered, {stored['vehicles']} vehicles, "
          f"{stored['visits']} visits ({created} rows new, {sum(j['unchanged'] for j in jobs.values())} "
          f"already there, {sum(j['failed'] for j in jobs.values())} failed).", flush=True)
    return created
