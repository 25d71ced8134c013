"""Partner webhooks: events read from Kafka reach a real HTTP receiver that checks Standard Webhooks signatures."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from aiokafka import AIOKafkaProducer
from standardwebhooks import Webhook

from crm_contracts import new_event
from crm_contracts.events.customer import CustomerRegistered
from crm_devstack.kafka import free_port
from crm_devstack.pytest_plugin import eventually

from .conftest import admin_token


class Receiver:
    """A partner's endpoint: verifies every signature, answers what the test scripts (then 204)."""

    def __init__(self):
        self.secret: str | None = None
        self.received: list[dict] = []
        self.refused = 0
        self.scripted: list[int] = []
        self.port = free_port()

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        Webhook(self.secret).verify(body, dict(request.headers))  # raises on a bad signature
        if self.scripted:
            self.refused += 1
            return web.Response(status=self.scripted.pop(0))
        event = json.loads(body)
        self.received.append({"id": request.headers["webhook-id"], "event": event})
        return web.Response(status=204)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/crm"


@pytest.fixture
async def receiver():
    partner = Receiver()
    app = web.Application()
    app.router.add_post("/hooks/crm", partner.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", partner.port).start()
    yield partner
    await runner.cleanup()


@pytest.fixture
async def publish(kafka, topic):
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, enable_idempotence=True)
    await producer.start()

    async def publish(dealer_id: str, customer_id: uuid.UUID | None = None):
        customer_id = customer_id or uuid.uuid4()
        event = new_event(CustomerRegistered(customer_id=customer_id, dealer_id=dealer_id, kind="person",
                                             status="customer", registered_at=datetime.now(UTC)),
                          service="customer", subject=str(customer_id), dealer_id=dealer_id)
        await producer.send_and_wait(topic, event.to_json(), key=event.subject.encode())
        return event

    yield publish
    await producer.stop()


async def subscribe(gateway, receiver: Receiver, dealers: list[str]) -> dict:
    headers = {"Authorization": f"Bearer {await admin_token(gateway)}"}
    created = await gateway.post("/api/v1/webhooks", headers=headers, json={
        "url": receiver.url, "event_types": ["crm.customer.registered.v1"], "dealers": dealers})
    assert created.status_code == 201, created.text
    receiver.secret = created.json()["secret"]
    return created.json() | {"headers": headers}


@pytest.fixture
async def fast_gateway(gateway_settings):
    from crm_devstack.pytest_plugin import running
    from crm_gateway.main import create_app

    app = create_app(gateway_settings(webhook_retry_schedule=[0.3, 0.3, 0.3]))
    async with running(app) as client:
        yield client


async def test_events_of_subscribed_dealers_are_delivered_signed_and_in_order(fast_gateway, receiver, publish):
    subscription = await subscribe(fast_gateway, receiver, ["D-HOOK-1"])
    customer = uuid.uuid4()
    sent = [await publish("D-HOOK-1", customer) for _ in range(3)]
    await publish("D-HOOK-OTHER")  # another dealer's event: never sent to this partner

    async def all_arrived():
        return len(receiver.received) >= 3 and receiver.received

    arrived = await eventually(all_arrived, timeout=30)
    assert [r["id"] for r in arrived] == [str(e.id) for e in sent]
    assert all(r["event"]["dealerid"] == "D-HOOK-1" for r in arrived)
    log = await fast_gateway.get(f"/api/v1/webhooks/{subscription['id']}/deliveries",
                                 headers=subscription["headers"])
    assert {d["status"] for d in log.json()["items"]} == {"delivered"}
    assert len(log.json()["items"]) == 3


async def test_a_500_is_retried_until_delivered_and_later_events_wait_their_turn(fast_gateway, receiver, publish):
    subscription = await subscribe(fast_gateway, receiver, ["D-HOOK-2"])
    receiver.scripted = [500, 500]
    customer = uuid.uuid4()
    first, second = await publish("D-HOOK-2", customer), await publish("D-HOOK-2", customer)

    async def both():
        return len(receiver.received) >= 2 and receiver.received

    arrived = await eventually(both, timeout=30)
    assert receiver.refused == 2
    assert [r["id"] for r in arrived] == [str(first.id), str(second.id)]
    log = (await fast_gateway.get(f"/api/v1/webhooks/{subscription['id']}/deliveries",
                                  headers=subscription["headers"])).json()["items"]
    retried = next(d for d in log if d["event_id"] == str(first.id))
    assert retried["attempts"] == 3 and retried["status"] == "delivered" and retried["last_status"] == 204


async def test_replay_sends_every_event_since_a_time_again(fast_gateway, receiver, publish):
    subscription = await subscribe(fast_gateway, receiver, ["D-HOOK-3"])
    events = [await publish("D-HOOK-3") for _ in range(2)]

    async def delivered(count):
        async def check():
            return len(receiver.received) >= count
        return check

    await eventually(await delivered(2), timeout=30)
    replay = await fast_gateway.post(f"/api/v1/webhooks/{subscription['id']}/replay",
                                     headers=subscription["headers"],
                                     json={"since": (datetime.now(UTC) - timedelta(minutes=5)).isoformat()})
    assert replay.status_code == 202 and replay.json() == {"queued": 2}
    await eventually(await delivered(4), timeout=30)
    assert [r["id"] for r in receiver.received[2:]] == [str(e.id) for e in events]


async def test_410_unsubscribes_and_exhausted_retries_disable_the_subscription(fast_gateway, receiver, publish):
    gone = await subscribe(fast_gateway, receiver, ["D-HOOK-4"])
    receiver.scripted = [410]
    await publish("D-HOOK-4")

    async def disabled():
        found = await fast_gateway.get(f"/api/v1/webhooks/{gone['id']}", headers=gone["headers"])
        return found.json()["status"] == "disabled" and found.json()

    assert "410" in (await eventually(disabled, timeout=30))["disabled_reason"]

    failing = await subscribe(fast_gateway, receiver, ["D-HOOK-5"])
    receiver.scripted = [503] * 10
    await publish("D-HOOK-5")

    async def gave_up():
        found = await fast_gateway.get(f"/api/v1/webhooks/{failing['id']}", headers=failing["headers"])
        return found.json()["status"] == "disabled" and found.json()

    assert "4 attempts" in (await eventually(gave_up, timeout=30))["disabled_reason"]
    assert receiver.received == []


async def test_subscription_refuses_unknown_types_and_other_dealers_naming_each_field(fast_gateway):
    admin = {"Authorization": f"Bearer {await admin_token(fast_gateway)}"}
    await fast_gateway.post("/api/v1/admin/dealers", headers=admin, json={"id": "D-HOOK-6", "name": "Store"})
    client = (await fast_gateway.post("/api/v1/admin/clients", headers=admin, json={
        "client_id": "roadside-co", "name": "Roadside", "scope": ["webhooks:manage"], "dealers": ["D-HOOK-6"],
        "event_types": ["crm.customer.registered.v1"]})).json()
    token = (await fast_gateway.post("/auth/token", data={
        "grant_type": "client_credentials", "client_id": "roadside-co",
        "client_secret": client["client_secret"]})).json()["access_token"]
    response = await fast_gateway.post("/api/v1/webhooks", headers={"Authorization": f"Bearer {token}"}, json={
        "url": "ftp://example.com", "event_types": ["crm.customer.updated.v1"], "dealers": ["D-OTHER"]})
    assert response.status_code == 422
    assert {e["pointer"] for e in response.json()["errors"]} == {"/url", "/event_types", "/dealers"}
    listed = await fast_gateway.get("/api/v1/webhooks", headers={"Authorization": f"Bearer {token}"})
    assert listed.json()["items"] == []
