"""The demo dealer `make run` loads through the public APIs, so every screen has something to show.

A generated dealer D-DEMO-001: a few thousand customers, their cars delivered over the last ten years, and
ten years of visits in which owners of older cars come back less often (the manual's "high-age churn"), so
grasp rate and active ratio fall with vehicle age as they do at real dealers. On top of that history, the
last two weeks: a few cars delivered and a few dozen services, by customers who agreed to surveys and care
messages, so the real flows turn them into survey invitations, follow-up calls and messages; the demo
answers some invitations (a few badly: hot alerts, complaint cases) and brings in a year of survey results
from the dealer's previous survey vendor.

Everything comes from seeded generators: the history from a fixed calendar, the last two weeks from today's
date, so re-running on the same day finds every row unchanged; a visit whose date has not come yet is held
back until it has, so nothing is ever dated in the future.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from crm_devstack import demo_api

DEMO_DEALER = demo_api.DEMO_DEALER
CUSTOMERS = 2000
FIRST_DELIVERY, LAST_DAY = date(2016, 12, 1), date(2026, 11, 20)
RECENT_SERVICES, RECENT_PURCHASES = 36, 12  # customers with a visit in the last days
SURVEY_HISTORY_MONTHS, SURVEY_HISTORY_PER_MONTH = 12, 24
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
    # the last days' visits, imported before the history so that survey and care, which read each
    # customer's events in order, reach them in seconds rather than after ten years of visits
    recent_visits: list[dict] = field(default_factory=list)
    # customers (by mobile) who agreed to surveys and care messages by SMS: those with a visit in the last days
    consenting: list[str] = field(default_factory=list)
    # results from the previous survey vendor: (external id, customer mobile, kind, answered on, mood)
    past_surveys: list[tuple[str, str, str, date, str]] = field(default_factory=list)


def china_vin(serial: int, year: int) -> str:
    """FAW Toyota's WMI (LFM) with a valid check digit, as every China-made VIN must have."""
    year_code = "ABCDEFGHJKLMNPRSTVWXY123456789"[(year - 2010) % 30]
    body = f"LFMA1{serial % 1000:03d}0{year_code}F{serial:06d}"
    check = sum(VIN_VALUES[c] * w for c, w in zip(body, VIN_WEIGHTS, strict=True)) % 11
    return body[:8] + ("X" if check == 10 else str(check)) + body[9:]


def return_probability(age_years: float) -> float:
    """How likely an owner is to come back for a due service, falling as the car ages."""
    return max(0.12, 0.95 - 0.11 * age_years)


def generate(seed: int = 7, count: int = CUSTOMERS, today: date | None = None) -> DemoDealer:
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
            dealer.vehicles.append(_vehicle(china_vin(serial, delivered.year), mobile, delivered, brand, model, price))
            dealer.visits += list(_visits(rng, serial, mobile, dealer.vehicles[-1]["vin"], delivered, price))
    dealer.vehicles = [{k: v for k, v in row.items() if v is not None} for row in dealer.vehicles]
    _last_days(dealer, today or date.today(), seed)
    return dealer


def _vehicle(vin: str, mobile: str, delivered: date, brand: str, model: str, price: int) -> dict:
    return {"vin": vin, "customer_mobile": mobile, "brand": brand, "model": model,
            "model_year": delivered.year, "delivery_date": delivered.isoformat(),
            "registration_date": delivered.isoformat(), "purchase_price": str(price),
            "warranty_end": delivered.replace(year=delivered.year + 3).isoformat()
            if not (delivered.month == 2 and delivered.day == 29) else None,
            "sold_by_dealer": True}


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


def _last_days(dealer: DemoDealer, today: date, seed: int) -> None:
    """The dealer's last two weeks, seeded by the date: services in the last six days (a CSI each, a
    follow-up call on day 3) and cars delivered four to twelve days ago (an SSI each, follow-up calls).
    Order numbers and VINs carry the date, so a later day adds its own visits and repeats none."""
    rng = random.Random(f"{seed}-{today.isoformat()}")
    picked = rng.sample(range(len(dealer.customers)), min(len(dealer.customers), RECENT_SERVICES + RECENT_PURCHASES))
    cars = {}
    for vehicle in dealer.vehicles:
        if date.fromisoformat(vehicle["delivery_date"]) < today - timedelta(days=60):
            cars.setdefault(vehicle["customer_mobile"], vehicle)
    stamp = today.strftime("%Y%m%d")
    for number, index in enumerate(picked):
        mobile = dealer.customers[index]["mobile"]
        advisor = f"SA-{rng.randrange(1, 9):02d}"
        if number < RECENT_SERVICES and mobile in cars:
            vehicle = cars[mobile]
            on = today - timedelta(days=rng.randint(1, 6))
            amount = rng.uniform(450, 2400)
            dealer.recent_visits.append({
                "order_number": f"RO-{stamp}-{number:03d}", "customer_mobile": mobile, "vin": vehicle["vin"],
                "kind": "service", "subkind": "maintenance", "visited_on": on.isoformat(),
                "amount": f"{amount:.2f}", "margin": f"{amount * 0.35:.2f}", "advisor_id": advisor})
        elif number >= RECENT_SERVICES:
            delivered = today - timedelta(days=rng.randint(4, 12))
            brand, model, price = rng.choice(MODELS)
            serial = 800_000 + (today.toordinal() % 9000) * 20 + number - RECENT_SERVICES
            vehicle = _vehicle(china_vin(serial, delivered.year), mobile, delivered, brand, model, price)
            dealer.vehicles.append({k: v for k, v in vehicle.items() if v is not None})
            dealer.recent_visits.append({
                "order_number": f"SO-{stamp}-{number:03d}", "customer_mobile": mobile, "vin": vehicle["vin"],
                "kind": "purchase", "subkind": "additional_car", "visited_on": delivered.isoformat(),
                "amount": f"{price:.2f}", "margin": f"{price * 0.05:.2f}", "odometer_km": 12,
                "advisor_id": advisor})
        else:
            continue
        dealer.consenting.append(mobile)
    _past_surveys(dealer, rng, today)


def _past_surveys(dealer: DemoDealer, rng: random.Random, today: date) -> None:
    """A year of results from the previous survey vendor, keyed by its own response number."""
    month = today.replace(day=1)
    for _ in range(SURVEY_HISTORY_MONTHS):
        month = (month - timedelta(days=1)).replace(day=1)
        days = ((month + timedelta(days=32)).replace(day=1) - month).days
        for number in range(SURVEY_HISTORY_PER_MONTH):
            customer = dealer.customers[rng.randrange(len(dealer.customers))]["mobile"]
            mood = rng.choices(("delighted", "content", "unhappy"), weights=(5, 4, 1))[0]
            dealer.past_surveys.append((f"VENDOR-{month:%Y%m}-{number:03d}", customer,
                                        "ssi" if number % 3 == 0 else "csi",
                                        month + timedelta(days=rng.randrange(days)), mood))


def load_demo(gateway: str, username: str, password: str, count: int = CUSTOMERS,
              services: dict[str, str] | None = None) -> int:
    """Load the demo dealer and wait until segmentation has scored it; a re-run changes nothing.
    `services`: each service's own address, whose metrics show how far it has read the import."""
    dealer = generate(count=count)
    with demo_api.DemoClient(gateway, username, password, services) as api:
        api.configure_dealer()
        jobs = {"customers": api.run_import("customers", dealer.customers)}
        ids = api.customer_ids(jobs["customers"]["id"], [row["mobile"] for row in dealer.customers])
        api.grant_consent([ids[mobile] for mobile in dealer.consenting if mobile in ids])
        for name, kind, rows in (("vehicles", "vehicles", dealer.vehicles),
                                 ("recent visits", "visits", dealer.recent_visits),
                                 ("visits", "visits", dealer.visits)):
            jobs[name] = api.run_import(kind, rows)
        stored = {kind: job["created"] + job["updated"] + job["unchanged"] for kind, job in jobs.items()}
        stored["visits"] += stored.pop("recent visits")
        created = sum(job["created"] for job in jobs.values())
        print(f"Demo dealer {DEMO_DEALER}: {stored['customers']} customers registered, {stored['vehicles']} "
              f"vehicles, {stored['visits']} visits ({created} rows new, "
              f"{sum(j['unchanged'] for j in jobs.values())} already there, "
              f"{sum(j['failed'] for j in jobs.values())} failed).", flush=True)
        api.import_survey_history([(ref, ids[mobile], kind, on, mood) for ref, mobile, kind, on, mood
                                   in dealer.past_surveys if mobile in ids])
        api.wait_until_scored(list(jobs.values()))
        api.answer_recent_invitations([ids[mobile] for mobile in dealer.consenting if mobile in ids])
    return created
