"""Through the gateway, as a client would: a customer registered on one service shows up in another."""

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from crm_contracts import Envelope, topics
from crm_devstack.pytest_plugin import eventually
from crm_devstack.stack import PROCESSES

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def gateway(stack):
    return stack.url("gateway")


async def token(client: httpx.AsyncClient, stack) -> str:
    response = await client.post("/auth/token", data={"grant_type": "password", "username": "admin",
                                                      "password": stack.admin_password})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


async def test_every_process_is_ready_and_serves_metrics_and_openapi(stack):
    async with httpx.AsyncClient(timeout=10) as client:
        for process in PROCESSES:
            base = stack.url(process)
            ready = await client.get(f"{base}/readyz")
            assert ready.status_code == 200, (process, ready.text)
            assert ready.json()["checks"]["database"] == "ok"
            assert ready.json()["checks"]["kafka"] == "ok"
            assert (await client.get(f"{base}/healthz")).json() == {"status": "ok"}
            metrics = await client.get(f"{base}/metrics")
            assert "crm_http_requests_total" in metrics.text
            assert (await client.get(f"{base}/openapi.json")).json()["openapi"].startswith("3.")


async def test_registered_customer_becomes_a_profile_in_segmentation(stack, gateway):
    async with httpx.AsyncClient(base_url=gateway, timeout=10) as client:
        headers = {"Authorization": f"Bearer {await token(client, stack)}", "X-Request-ID": "skeleton-1"}
        created = await client.post("/api/v1/customers", headers=headers,
                                    json={"name": "王伟", "mobile": "138 0013 8000", "dealer_id": "D-E2E"})
        assert created.status_code == 201, created.text
        customer = created.json()
        assert customer["mobile"] == "+8613800138000"  # the admin holds the personal-data permission
        assert created.headers["x-request-id"] == "skeleton-1"

        async def profile():
            response = await client.get(f"/api/v1/profiles/{customer['id']}", headers=headers)
            return response.json() if response.status_code == 200 else None

        shown = await eventually(profile, timeout=30)
        assert shown["dealer_id"] == "D-E2E"
        published = await events_about(stack, customer["id"])
        assert [e.type for e in published] == ["crm.customer.registered.v1"]
        assert published[0].dealerid == "D-E2E" and published[0].requestid == "skeleton-1"
        assert "13800138000" not in published[0].to_json().decode()  # never a phone number in an event
        assert shown["kind"] == "person"
        assert shown["status"] == "customer"

        again = await client.post("/api/v1/customers", headers=headers,
                                  json={"name": "王伟", "mobile": "+86 138-0013-8000", "dealer_id": "D-E2E"})
        assert again.status_code == 409
        assert again.json()["existing_id"] == customer["id"]

    async with httpx.AsyncClient(timeout=10) as client:
        metrics = (await client.get(stack.url("segmentation") + "/metrics")).text
    consumed = [line for line in metrics.splitlines()
                if line.startswith("crm_events_consumed_total{") and "crm.customer.registered.v1" in line
                and 'outcome="processed"' in line]
    assert consumed and float(consumed[0].rsplit(" ", 1)[1]) >= 1


async def events_about(stack, customer_id: str) -> list[Envelope]:
    consumer = AIOKafkaConsumer(topics.CUSTOMER, bootstrap_servers=stack.broker.bootstrap_servers,
                                auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    found = []
    try:
        for _ in range(10):
            for messages in (await consumer.getmany(timeout_ms=300)).values():
                found += [Envelope.from_json(m.value) for m in messages if m.key == customer_id.encode()]
    finally:
        await consumer.stop()
    return found


async def test_bad_input_gets_a_problem_naming_each_field_and_stores_nothing(stack, gateway):
    async with httpx.AsyncClient(base_url=gateway, timeout=10) as client:
        headers = {"Authorization": f"Bearer {await token(client, stack)}"}
        response = await client.post("/api/v1/customers", headers=headers,
                                     json={"name": "", "mobile": "12345", "colour": "red", "dealer_id": "D-BAD"})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        pointers = {error["pointer"] for error in response.json()["errors"]}
        assert pointers == {"/name", "/colour"}

        response = await client.post("/api/v1/customers", headers={**headers, "Accept-Language": "en"},
                                     json={"name": "李娜", "mobile": "12345", "dealer_id": "D-BAD"})
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {"in": "body", "pointer": "/mobile",
             "detail": "not a valid mainland China mobile number (11 digits starting 13–19)"}]

        listed = await client.get("/api/v1/profiles", headers=headers, params={"limit": 500})
        assert all(profile["dealer_id"] != "D-BAD" for profile in listed.json()["items"])


async def test_a_call_without_a_token_is_refused_by_the_service_itself(stack):
    async with httpx.AsyncClient(timeout=10) as client:
        direct = await client.get(stack.url("customer") + "/api/v1/customers/00000000-0000-0000-0000-000000000000")
    assert direct.status_code == 401
    assert direct.headers["content-type"] == "application/problem+json"


async def test_gateway_merges_every_service_openapi(gateway):
    async with httpx.AsyncClient(base_url=gateway, timeout=10) as client:
        document = (await client.get("/openapi.json")).json()
        docs = await client.get("/docs")
    assert {"/auth/token", "/api/v1/customers", "/api/v1/profiles/{customer_id}"} <= set(document["paths"])
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
