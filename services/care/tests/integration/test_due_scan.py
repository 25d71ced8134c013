"""The due-scan's SQL finds exactly what the rules in `plans.vehicle_occasions` find, on a random fleet with
the awkward cases (month ends, 29 February, no odometer, wound-back odometers, dealers' own plans), and a
scan stores it once."""

import random
import uuid
from datetime import date, timedelta

import sqlalchemy as sa

from crm_care import repository
from crm_care.domain.plans import ScanWindow, vehicle_occasions
from crm_care.handlers import scheduler
from crm_care.main import create_app
from crm_care.metrics import LAST_SCAN
from crm_care.models import actions, dealers, plans, vehicles
from crm_devstack.pytest_plugin import eventually, running

FLEET = 3000
DAYS = [date(2026, 11, 28), date(2028, 2, 29), date(2027, 2, 28), date(2026, 8, 31), date(2026, 12, 31),
        date(2027, 1, 1)]


def fleet(rng: random.Random, dealer_ids: list[str]) -> list[dict]:
    rows = []
    base = date(2026, 11, 28)
    for _ in range(FLEET):
        delivered = base - timedelta(days=rng.randint(-40, 20 * 365))
        if rng.random() < 0.05:
            delivered = date(rng.choice((2016, 2020, 2024)), 2, 29)
        if rng.random() < 0.05:
            delivered = date(rng.randint(2015, 2026), rng.choice((1, 3, 5, 8, 10, 12)), 31)
        pace = rng.uniform(0, 150)
        first_read = delivered + timedelta(days=rng.randint(0, 60))
        last_read = first_read + timedelta(days=rng.randint(0, 4000))
        read = rng.random() < 0.8
        served = rng.random() < 0.7
        last_service = last_read - timedelta(days=rng.randint(0, 400)) if served else None
        rows.append({
            "vehicle_id": uuid.uuid4(), "customer_id": uuid.uuid4(), "dealer_id": rng.choice(dealer_ids),
            "delivery_date": delivered if rng.random() < 0.95 else None,
            "registration_date": delivered if rng.random() < 0.9 else None,
            "warranty_end": delivered + timedelta(days=3 * 365) if rng.random() < 0.8 else None,
            "insurance_expiry": base + timedelta(days=rng.randint(-400, 800)) if rng.random() < 0.8 else None,
            "first_km": int((first_read - delivered).days * pace) if read else None,
            "first_read_on": first_read if read else None,
            "last_km": (int((last_read - delivered).days * pace) if rng.random() < 0.95 else 10) if read else None,
            "last_read_on": last_read if read else None,
            "first_service_done": served or rng.random() < 0.2,
            "last_service_on": last_service,
            "last_service_km": int((last_service - delivered).days * pace) if served and read else None,
        })
    return rows


async def test_the_scan_in_sql_finds_what_the_rules_find_and_stores_it_once(care_settings):
    rng = random.Random(28)
    app = create_app(care_settings(scan_interval_seconds=3600))
    scanned_before = LAST_SCAN._value.get()
    async with running(app):
        # The app's own scan runs once at start, with the real date: let it finish on an empty fleet, so
        # what this test stores is only what its own scans store (the next one is an hour away).
        await eventually(_first_scan_done(scanned_before), timeout=60)
        rows = fleet(rng, ["D1", "D2", "D3"])
        async with app.state.sessions() as session, session.begin():
            for start in range(0, len(rows), 1000):
                await session.exec(sa.insert(vehicles).values(rows[start:start + 1000]))
            await session.exec(sa.insert(plans).values([
                {"dealer_id": "D2", "rule": "insurance_renewal", "params": {"days_before": [45, 7], "window_days": 2}},
                {"dealer_id": "D2", "rule": "maintenance_due", "params": {"months": 3, "km": 5000}},
                {"dealer_id": "D2", "rule": "purchase_anniversary", "params": {"enabled": False}},
                {"dealer_id": "D3", "rule": "annual_inspection", "params": {"days_before": [30, 1]}}]))
            await session.exec(sa.insert(dealers).values(dealer_id="D3", time_zone="Asia/Urumqi"))
            by_dealer = await repository.plans_by_dealer(session)
        views = [repository.vehicle_view(_Row(row)) for row in rows]

        for today in DAYS:
            for grace, ahead in ((7, 1), (0, 366)):
                window = ScanWindow(today, grace_days=grace, ahead_days=ahead)
                expected = {(o.key, o.due_on, o.critical, tuple(sorted(o.variables.items())))
                            for view in views
                            for o in vehicle_occasions(view, by_dealer.get(view.dealer_id, by_dealer[""]), window)}
                result = await scheduler.scan(app.state.sessions, today, grace_days=grace, ahead_days=ahead,
                                              store=False)
                found = {(o.key, o.due_on, o.critical, tuple(sorted(o.variables.items())))
                         for o in result.occasions if o.vehicle_id is not None}
                assert found == expected, (today, grace, ahead, sorted(found ^ expected)[:5])
                assert expected, "a window with nothing due proves nothing"

        today = DAYS[0]
        first = await scheduler.scan(app.state.sessions, today, batch_size=100)
        again = await scheduler.scan(app.state.sessions, today, batch_size=100)
        async with app.state.sessions() as session:
            stored = (await session.exec(sa.select(actions.c.key, actions.c.due_at, actions.c.dealer_id)
                                         .where(actions.c.vehicle_id.is_not(None)))).all()
    window = ScanWindow(today)
    expected = {o.key: o for view in views
                for o in vehicle_occasions(view, by_dealer.get(view.dealer_id, by_dealer[""]), window)}
    assert {row.key for row in stored} == set(expected) and first.stored >= len(expected) and again.stored == 0
    for row in stored:  # 09:00 in the dealer's own time zone
        zone = "Asia/Urumqi" if row.dealer_id == "D3" else "Asia/Shanghai"
        assert row.due_at == scheduler.due_at(expected[row.key].due_on, zone)


def _first_scan_done(before: float):
    async def first_scan_done() -> bool:
        return LAST_SCAN._value.get() != before

    return first_scan_done


class _Row:
    """A vehicle row as the repository reads it, from the dict it was inserted from."""

    def __init__(self, values: dict):
        self.__dict__.update(values)
