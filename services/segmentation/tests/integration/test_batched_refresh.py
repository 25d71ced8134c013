"""A poll's events about one customer refresh it once, and it ends exactly where one-at-a-time ends."""

import uuid
from datetime import UTC, datetime

import pytest
from aiokafka import ConsumerRecord

from crm_contracts import new_event, topics
from crm_contracts.events import customer as events
from crm_devstack.pytest_plugin import running
from crm_kit.inbox import EventConsumer
from crm_segmentation.consumers import handlers_for
from crm_segmentation.handlers.context import Clock
from crm_segmentation.main import create_app
from crm_segmentation.settings import SegmentationSettings

from .conftest import TODAY, days_ago, registered, vehicle, visit

KEPT_APART = {"customer_id", "updated_at", "scored_at", "registered_at", "vehicle_profiles"}


def history(customer, car, dealer) -> list:
    """A customer's life in one poll: registered, a car, visits with mileage, a corrected reading, an update."""
    return [
        registered(customer, dealer),
        vehicle(customer, car, days_ago(900), dealer),
        visit(customer, car, days_ago(720), subkind="first_service", dealer=dealer, km=9_000),
        visit(customer, car, days_ago(430), subkind="repair", amount="1500", margin="400", dealer=dealer, km=21_000),
        events.OdometerRecorded(vehicle_id=car, customer_id=customer, dealer_id=dealer, km=20_500,
                                read_on=days_ago(400), correction=True),
        visit(customer, car, TODAY, amount="600", margin=None, dealer=dealer, km=30_000),
        events.CustomerUpdated(customer_id=customer, dealer_id=dealer, kind="person", status="customer",
                               changed=["city"], version=2, updated_at=datetime.now(UTC)),
    ]


def records(payloads: list) -> list[ConsumerRecord]:
    envelopes = [new_event(p, service="customer", subject=str(p.customer_id), dealer_id=p.dealer_id)
                 for p in payloads]
    return [ConsumerRecord(topics.CUSTOMER, 0, offset, 0, 0, e.subject.encode(), e.to_json(), None, 0, 0, ())
            for offset, e in enumerate(envelopes)]


@pytest.fixture
async def service(settings_for):
    """The app (for its database and API) without a scoring batch in the way: a dealer without a fit queues
    one, and a fit arriving between the two customers would score them differently."""
    app = create_app(settings_for(SegmentationSettings, rescore_interval_hours=0, job_poll_seconds=3600))
    async with running(app) as client:
        consumer = EventConsumer(app.state.sessions, None, service="segmentation-test", bootstrap_servers="",
                                 topics=[], handlers=handlers_for(Clock()))
        yield client, consumer


async def test_a_batch_ends_where_one_event_at_a_time_ends(service, auth):
    client, consumer = service
    dealer = f"D-{uuid.uuid4().hex[:6]}"
    headers = auth(dealers=[dealer])
    together, alone = uuid.uuid4(), uuid.uuid4()
    batch = records(history(together, uuid.uuid4(), dealer))
    await consumer.process_batch(batch)
    for record in records(history(alone, uuid.uuid4(), dealer)):
        await consumer.process(record)

    async def shown(customer) -> dict:
        response = await client.get(f"/api/v1/profiles/{customer}", headers=headers)
        assert response.status_code == 200
        return response.json()

    def comparable(profile: dict) -> dict:
        vehicles = [{k: v for k, v in car.items() if k not in ("vehicle_id", "customer_id")}
                    for car in profile["vehicle_profiles"]]
        return {**{k: v for k, v in profile.items() if k not in KEPT_APART}, "vehicles": vehicles}

    batched, one_by_one = await shown(together), await shown(alone)
    assert batched["visits_total"] == 3 and batched["vehicle_profiles"][0]["last_km"] == 30_000
    assert comparable(batched) == comparable(one_by_one)

    await consumer.process_batch(batch)  # a redelivered poll: the inbox drops every event
    assert comparable(await shown(together)) == comparable(batched)
