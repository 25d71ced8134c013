"""The scheduler across a restart and two replicas: every due action carried out exactly once."""

import asyncio
import uuid
from datetime import timedelta

import sqlalchemy as sa

from crm_care.main import create_app
from crm_contracts.events.customer import VehicleRegistered, VisitRecorded
from crm_devstack.pytest_plugin import eventually, running

from .conftest import edited, now

DELIVERIES = 15  # each brings two 回访 calls (day 1 and day 3)


async def count(app, query) -> int:
    async with app.state.sessions() as session:
        return (await session.exec(query)).scalar_one()


async def test_scheduler_survives_a_restart_and_a_second_replica_without_losing_or_doubling(
        care_settings, publish, care_events, auth):
    customers = [uuid.uuid4() for _ in range(DELIVERIES)]
    delivered = (now() - timedelta(days=20)).date()
    deliveries = []
    for customer in customers:
        vehicle = uuid.uuid4()
        deliveries.append(VehicleRegistered(vehicle_id=vehicle, customer_id=customer, dealer_id="D1", brand="Toyota",
                                            model="RAV4", delivery_date=delivered, sold_by_dealer=True,
                                            insurance_expiry=(now() + timedelta(days=29)).date(),
                                            registered_at=now()))
        deliveries.append(VisitRecorded(visit_id=uuid.uuid4(), customer_id=customer, vehicle_id=vehicle,
                                        dealer_id="D1", kind="purchase", subkind="new_car", visited_on=delivered,
                                        amount="189000.00", order_number=f"SO-{customer.hex[:8]}",
                                        recorded_at=now()))
    settings = care_settings(dispatch_batch_size=1)
    first = create_app(settings)
    async with running(first) as care:
        # deliveries 20 days old, so that every call is already due: this dealer still makes them
        widened = await edited(care, "/api/v1/care/plans/delivery_follow_up", auth(),
                               {"params": {"window_days": 30}})
        assert widened.status_code == 200, widened.text
        for event in deliveries:
            await publish(event, service="customer", subject=event.customer_id)

        async def some_tasks():
            return await count(first, sa.text("SELECT count(*) FROM care_tasks")) > 0

        await eventually(some_tasks, timeout=40)
    # killed mid-way; now two replicas take over, both scanning and dispatching the same database
    second, third = create_app(settings), create_app(settings)
    async with running(second), running(third):
        async def all_done():
            pending = await count(second, sa.text("SELECT count(*) FROM care_actions WHERE status = 'pending'"))
            tasks = await count(second, sa.text("SELECT count(*) FROM care_tasks"))
            return pending == 0 and tasks >= 2 * DELIVERIES

        await eventually(all_done, timeout=60)
        await asyncio.sleep(1)  # anything doubled would show up now
        tasks = await count(second, sa.text("SELECT count(*) FROM care_tasks"))
        distinct = await count(second, sa.text("SELECT count(DISTINCT action_id) FROM care_tasks"))
        insurance = await count(second, sa.text(
            "SELECT count(*) FROM care_actions WHERE rule = 'insurance_renewal'"))
        messages = await count(second, sa.text("SELECT count(*) FROM care_messages"))
    assert tasks == distinct == 2 * DELIVERIES
    assert insurance == messages == DELIVERIES  # the 30-day renewal reminder, scanned by three apps, stored once

    created = [e for e in await care_events(*customers, count=2 * DELIVERIES) if e.type == "crm.care.task.created.v1"]
    # the relay publishes at least once (a restart between send and mark re-sends the same event, which
    # consumers' inboxes drop), so count events by id: one per task, one task per action
    assert len({e.data["task_id"] for e in created}) == len({e.id for e in created}) == 2 * DELIVERIES
