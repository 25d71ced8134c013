"""History is history: work is created by the fact's own date, only while it is still due, and reminders
come from each vehicle's latest state, whatever order its history arrives in."""

import random
import uuid
from datetime import date, timedelta

import sqlalchemy as sa

from crm_care.domain.reminders import add_months
from crm_care.handlers.scheduler import local_today
from crm_care.main import create_app
from crm_care.models import actions
from crm_contracts.events.customer import CustomerRegistered, VehicleRegistered, VisitRecorded
from crm_contracts.events.segmentation import FirstServiceLost
from crm_devstack.pytest_plugin import eventually, running

from .conftest import edited, now


async def actions_of(app, customer: uuid.UUID) -> list:
    async with app.state.sessions() as session:
        return list((await session.exec(sa.select(actions).where(actions.c.customer_id == customer))).all())


def visit(customer, vehicle, kind, subkind, on: date, km: int | None = None, dealer="D1") -> VisitRecorded:
    return VisitRecorded(visit_id=uuid.uuid4(), customer_id=customer, vehicle_id=vehicle, dealer_id=dealer, kind=kind,
                         subkind=subkind, visited_on=on, amount="680.00", odometer_km=km,
                         order_number=f"RO-{uuid.uuid4().hex[:8]}", recorded_at=now())


async def test_follow_up_calls_only_for_visits_still_due_and_the_window_is_the_dealers(
        care_settings, publish, auth):
    app = create_app(care_settings())
    customer, vehicle = uuid.uuid4(), uuid.uuid4()
    today = local_today(now())
    async with running(app) as care:
        old = [visit(customer, vehicle, "purchase", "new_car", today - timedelta(days=3650)),
               visit(customer, vehicle, "service", "maintenance", today - timedelta(days=400), 20_000),
               visit(customer, vehicle, "service", "repair", today - timedelta(days=30), 31_000)]
        recent = visit(customer, vehicle, "service", "repair", today, 32_000)
        for event in [*old, recent]:
            await publish(event, service="customer", subject=customer)

        async def recent_call():
            return [a for a in await actions_of(app, customer) if a.rule == "service_follow_up"] or None

        # one customer's events are handled in order: once the recent visit has its call, the old ones were seen
        [call] = await eventually(recent_call, timeout=40)
        assert call.variables["visit_id"] == str(recent.visit_id)
        assert [a.rule for a in await actions_of(app, customer)] == ["service_follow_up"]

        widened = await edited(care, "/api/v1/care/plans/service_follow_up", auth(),
                               {"params": {"window_days": 60}})
        assert widened.status_code == 200 and widened.json()["params"]["window_days"] == 60
        month_old = visit(customer, vehicle, "service", "repair", today - timedelta(days=30), 31_000)
        await publish(month_old, service="customer", subject=customer)

        async def month_old_call():
            return [a for a in await actions_of(app, customer)
                    if a.variables.get("visit_id") == str(month_old.visit_id)] or None

        await eventually(month_old_call, timeout=40)


async def test_first_service_lost_long_ago_gets_no_call_a_recent_loss_does(care_settings, publish):
    app = create_app(care_settings())
    customer, old_car, new_car = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    today = local_today(now())
    async with running(app):
        for vehicle, delivered in ((old_car, date(2017, 5, 2)), (new_car, add_months(today, -12))):
            await publish(FirstServiceLost(vehicle_id=vehicle, customer_id=customer, dealer_id="D1",
                                           delivery_date=delivered, lost_on=today),
                          service="segmentation", subject=customer)

        async def called():
            return [a for a in await actions_of(app, customer) if a.rule == "first_service_lost"] or None

        [call] = await eventually(called, timeout=40)
        assert call.vehicle_id == new_car


async def test_the_scan_reminds_from_the_latest_state_and_greets_only_on_the_day(care_settings, publish):
    app = create_app(care_settings())
    today = local_today(now())
    owner, vehicle = uuid.uuid4(), uuid.uuid4()
    # 20 maintenance visits six months apart, the latest six months less three days ago, arriving shuffled
    latest = add_months(today, -6) + timedelta(days=3)
    history = [(add_months(latest, -6 * n), 100_000 - 5_000 * n) for n in range(20)]
    random.Random(3).shuffle(history)
    birthday_passed, birthday_today = uuid.uuid4(), uuid.uuid4()
    async with running(app):
        await publish(VehicleRegistered(vehicle_id=vehicle, customer_id=owner, dealer_id="D1", brand="Toyota",
                                        model="Corolla", delivery_date=add_months(latest, -6 * 20),
                                        insurance_expiry=today + timedelta(days=30), sold_by_dealer=True,
                                        registered_at=now()), service="customer", subject=owner)
        for on, km in history:
            await publish(visit(owner, vehicle, "service", "maintenance", on, km), service="customer", subject=owner)
        # both greetings travel on one key, in this order: when the second is greeted, the first was scanned
        for customer, day in ((birthday_passed, today - timedelta(days=3)), (birthday_today, today)):
            await publish(CustomerRegistered(customer_id=customer, dealer_id="D1", kind="person", status="customer",
                                             birthday=day.strftime("%m-%d"), registered_at=now()),
                          service="customer", subject=birthday_passed)

        async def reminded():
            found = {a.rule: a for a in await actions_of(app, owner)}
            return found if {"maintenance_due", "insurance_renewal"} <= set(found) else None

        await eventually(reminded, timeout=40)

        async def greeted():
            return await actions_of(app, birthday_today) or None

        [greeting] = await eventually(greeted, timeout=40)
        assert greeting.rule == "birthday" and greeting.key.endswith(today.isoformat())
        assert await actions_of(app, birthday_passed) == []
        reminders = await actions_of(app, owner)
    maintenance = [a for a in reminders if a.rule == "maintenance_due"]
    assert [a.variables["basis"] for a in maintenance] == [latest.isoformat()]  # one, from the latest visit
    assert maintenance[0].variables["due_on"] == add_months(latest, 6).isoformat()
    assert not any(a.rule in ("service_follow_up", "first_service_due") for a in reminders)
