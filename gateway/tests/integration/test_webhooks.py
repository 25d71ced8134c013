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


# Pausing and resuming, replaying one delivery, its attempt history, what a dealer's administrator lists.

HOOKS = "/api/v1/webhooks"


def _arrived(receiver, count: int):
    async def check():
        return len(receiver.received) >= count and receiver.received
    return check


async def test_a_paused_subscription_holds_events_and_sends_them_in_order_on_resume(fast_gateway, receiver, publish):
    subscription = await subscribe(fast_gateway, receiver, ["D-PAUSE-1"])
    headers, base = subscription["headers"], f"{HOOKS}/{subscription['id']}"
    paused = await fast_gateway.post(f"{base}/pause", headers=headers)
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    customer = uuid.uuid4()
    held = [await publish("D-PAUSE-1", customer) for _ in range(2)]

    async def recorded_as_held():
        log = (await fast_gateway.get(f"{base}/deliveries", headers=headers)).json()["items"]
        return len(log) == 2 and {d["status"] for d in log} == {"held"}

    await eventually(recorded_as_held, timeout=30)
    assert receiver.received == []
    resumed = await fast_gateway.post(f"{base}/resume", headers=headers)
    assert resumed.status_code == 200 and resumed.json()["status"] == "active"
    arrived = await eventually(_arrived(receiver, 2), timeout=30)
    assert [r["id"] for r in arrived] == [str(e.id) for e in held]


async def test_replaying_one_delivery_sends_that_event_once_more_and_no_later_one(fast_gateway, receiver, publish):
    subscription = await subscribe(fast_gateway, receiver, ["D-ONE-1"])
    headers, base = subscription["headers"], f"{HOOKS}/{subscription['id']}"
    first, later = await publish("D-ONE-1"), await publish("D-ONE-1")
    await eventually(_arrived(receiver, 2), timeout=30)
    log = (await fast_gateway.get(f"{base}/deliveries", headers=headers)).json()["items"]
    original = next(d for d in log if d["event_id"] == str(first.id))

    again = await fast_gateway.post(f"{base}/deliveries/{original['id']}/replay", headers=headers)
    assert again.status_code == 202, again.text
    assert again.json()["event_id"] == str(first.id) and again.json()["replay"] is True
    arrived = await eventually(_arrived(receiver, 3), timeout=30)
    assert [r["id"] for r in arrived] == [str(first.id), str(later.id), str(first.id)]
    missing = await fast_gateway.post(f"{base}/deliveries/999999999/replay", headers=headers)
    assert missing.status_code == 404


async def test_a_delivery_shows_each_attempt_with_its_status_and_error(fast_gateway, receiver, publish):
    subscription = await subscribe(fast_gateway, receiver, ["D-TRY-1"])
    headers, base = subscription["headers"], f"{HOOKS}/{subscription['id']}"
    receiver.scripted = [500]
    event = await publish("D-TRY-1")
    await eventually(_arrived(receiver, 1), timeout=30)
    delivery = (await fast_gateway.get(f"{base}/deliveries", headers=headers)).json()["items"][0]
    attempts = await fast_gateway.get(f"{base}/deliveries/{delivery['id']}/attempts", headers=headers)
    assert attempts.status_code == 200 and delivery["event_id"] == str(event.id)
    assert [a["status_code"] for a in attempts.json()] == [500, 204]
    assert all(a["duration_ms"] >= 0 and a["error"] is None for a in attempts.json())


async def test_a_dealer_administrator_lists_every_subscription_reaching_the_dealer(fast_gateway, receiver):
    admin = {"Authorization": f"Bearer {await admin_token(fast_gateway)}"}
    for dealer in ("D-LIST-1", "D-LIST-2"):
        await fast_gateway.post("/api/v1/admin/dealers", headers=admin, json={"id": dealer, "name": dealer})
    by_headquarters = await subscribe(fast_gateway, receiver, ["D-LIST-1", "D-LIST-2"])
    elsewhere = await subscribe(fast_gateway, receiver, ["D-LIST-2"])
    await fast_gateway.post("/api/v1/admin/users", headers=admin, json={
        "username": "list-admin", "password": "a-long-enough-password", "roles": ["dealer_admin"],
        "dealers": ["D-LIST-1"]})
    login = await fast_gateway.post("/auth/token", data={"grant_type": "password", "username": "list-admin",
                                                         "password": "a-long-enough-password"})
    store = {"Authorization": f"Bearer {login.json()['access_token']}"}
    listed = await fast_gateway.get(HOOKS, headers=store)
    assert listed.status_code == 200, listed.text
    ids = {s["id"] for s in listed.json()["items"]}
    assert by_headquarters["id"] in ids and elsewhere["id"] not in ids
    assert (await fast_gateway.get(f"{HOOKS}/{by_headquarters['id']}", headers=store)).status_code == 200
    # Reading is not managing: another dealer's events go through it too.
    assert (await fast_gateway.post(f"{HOOKS}/{by_headquarters['id']}/pause", headers=store)).status_code == 404
