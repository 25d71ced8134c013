"""The segmentation service on the real PostgreSQL and Kafka, fed real events on crm.customer.v1.

The customer service is not started here: the tests publish exactly what it publishes (same envelope,
same payload models, keyed by the customer id) with a real producer.
"""

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from aiokafka import AIOKafkaProducer

from crm_contracts import Envelope, Payload, new_event, permissions, topics
from crm_contracts.events import customer as events
from crm_devstack.pytest_plugin import eventually, running
from crm_segmentation.handlers.context import Clock
from crm_segmentation.main import create_app
from crm_segmentation.settings import SegmentationSettings

ALL = [permissions.PROFILES_READ, permissions.SEGMENTS_WRITE, permissions.KPIS_READ, permissions.SCORING_RUN]
TODAY = Clock().today()


def days_ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@pytest.fixture
async def client(settings_for):
    settings = settings_for(SegmentationSettings, job_poll_seconds=0.05, rescore_interval_hours=0)
    async with running(create_app(settings)) as client:
        yield client


@pytest.fixture
def auth(mint):
    """auth(dealers=[...], scope=[...]) -> headers with a bearer token."""

    def auth(dealers=("D1",), scope=ALL, subject="planner-1"):
        return {"Authorization": f"Bearer {mint(scope=list(scope), dealers=list(dealers), subject=subject)}"}

    return auth


@pytest.fixture
async def publish(kafka):
    """publish(payload, ..., import_job=None) -> the envelopes sent on crm.customer.v1, as the customer
    service's relay does (an import's events carry its job id)."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, enable_idempotence=True)
    await producer.start()

    async def publish(*payloads: Payload | Envelope, import_job: str | None = None) -> list[Envelope]:
        sent = []
        for payload in payloads:
            if isinstance(payload, Envelope):  # a redelivery: the very same event again
                await producer.send_and_wait(topics.CUSTOMER, payload.to_json(), key=payload.subject.encode())
                sent.append(payload)
                continue
            customer = getattr(payload, "customer_id", None) or getattr(payload, "to_customer_id", None) \
                or getattr(payload, "survivor_id", None) or getattr(payload, "job_id", None)
            envelope = new_event(payload, service="customer", subject=str(customer), dealer_id=payload.dealer_id,
                                 import_job=import_job)
            await producer.send_and_wait(topics.CUSTOMER, envelope.to_json(), key=envelope.subject.encode(),
                                         headers=[("ce_type", envelope.type.encode())])
            sent.append(envelope)
        return sent

    yield publish
    await producer.stop()


@pytest.fixture
async def published(topic_reader):
    """published(customer_id, type=None) -> envelopes segmentation has published on crm.segmentation.v1."""
    reader = await topic_reader(topics.SEGMENTATION)

    async def read(customer_id, event_type: str | None = None) -> list[Envelope]:
        return await reader.about(customer_id, type=event_type)

    return read


async def profile_when(client, headers, customer_id, check, timeout: float = 30) -> dict:
    """The profile once `check(profile)` holds (events take a moment to arrive)."""

    async def shown():
        response = await client.get(f"/api/v1/profiles/{customer_id}", headers=headers)
        return response.json() if response.status_code == 200 and check(response.json()) else None

    return await eventually(shown, timeout=timeout)


def registered(customer_id, dealer="D1") -> events.CustomerRegistered:
    return events.CustomerRegistered(customer_id=customer_id, dealer_id=dealer, kind="person", status="customer",
                                     registered_at=datetime.now(UTC))


def vehicle(customer_id, vehicle_id, delivered: date, dealer="D1", sold=True, model="RAV4"):
    return events.VehicleRegistered(vehicle_id=vehicle_id, customer_id=customer_id, dealer_id=dealer,
                                    brand="Toyota", model=model, delivery_date=delivered, sold_by_dealer=sold,
                                    registered_at=datetime.now(UTC))


def visit(customer_id, vehicle_id, on: date, *, kind="service", subkind="maintenance", amount="800",
          margin="300", dealer="D1", km=None) -> events.VisitRecorded:
    return events.VisitRecorded(
        visit_id=uuid.uuid4(), customer_id=customer_id, vehicle_id=vehicle_id, dealer_id=dealer, kind=kind,
        subkind=subkind, visited_on=on, amount=Decimal(amount), margin=Decimal(margin) if margin else None,
        odometer_km=km, order_number=f"RO-{uuid.uuid4().hex[:8]}", recorded_at=datetime.now(UTC))
