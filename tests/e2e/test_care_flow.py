"""Care through the gateway, as the mobile app and the dealer's staff would use it."""

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from crm_contracts import new_event, topics
from crm_contracts.events.survey import HotAlertRaised
from crm_devstack.pytest_plugin import eventually

pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]


async def admin_headers(client: httpx.AsyncClient, stack) -> dict[str, str]:
    response = await client.post("/auth/token", data={"grant_type": "password", "username": "admin",
                                                      "password": stack.admin_password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_rescue_and_a_hot_alert_become_work_in_the_dealers_queue(stack):
    customer = uuid.uuid4()
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=10) as client:
        headers = await admin_headers(client, stack)
        rescue = await client.post("/api/v1/care/rescue", headers=headers, json={
            "customer_id": str(customer), "dealer_id": "D-E2E-CARE", "latitude": 31.2304, "longitude": 121.4737,
            "description": "电瓶没电"})
        assert rescue.status_code == 201, rescue.text

        alert = HotAlertRaised(alert_id=uuid.uuid4(), response_id=uuid.uuid4(), customer_id=customer,
                               dealer_id="D-E2E-CARE", survey_kind="ssi", question_id="q1",
                               question_text="交车过程", score=1, raised_at=datetime.now(UTC))
        producer = AIOKafkaProducer(bootstrap_servers=stack.broker.bootstrap_servers, enable_idempotence=True)
        await producer.start()
        try:
            event = new_event(alert, service="survey", subject=str(customer), dealer_id="D-E2E-CARE")
            await producer.send_and_wait(topics.SURVEY, event.to_json(), key=str(customer).encode())
        finally:
            await producer.stop()

        async def both_queued():
            tasks = (await client.get("/api/v1/care/tasks", headers=headers,
                                      params={"customer_id": str(customer)})).json()["items"]
            reasons = sorted(task["reason"] for task in tasks)
            return reasons if reasons == ["complaint_follow_up", "rescue"] else None

        await eventually(both_queued, timeout=60)
        cases = (await client.get("/api/v1/care/cases", headers=headers,
                                  params={"customer_id": str(customer), "limit": 1})).json()
        assert [(c["source"], c["state"]) for c in cases["items"]] == [("hot_alert", "open")]
        assert cases["next_cursor"] is None
        rescues = (await client.get("/api/v1/care/rescue", headers=headers,
                                    params={"customer_id": str(customer)})).json()["items"]
        assert [r["id"] for r in rescues] == [rescue.json()["id"]]
