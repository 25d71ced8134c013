"""Through the gateway: a closed service visit posted to the customer service becomes exactly one CSI
invitation, which the customer answers on the public /s/{token} path."""

import random
from datetime import date

import httpx
import pytest

from crm_devstack.pytest_plugin import eventually

pytestmark = pytest.mark.timeout(240)

DEALER = "D-E2E-SURVEY"


async def admin_headers(client: httpx.AsyncClient, stack) -> dict[str, str]:
    response = await client.post("/auth/token", data={"grant_type": "password", "username": "admin",
                                                      "password": stack.admin_password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def answers(**overrides) -> dict:
    rated = ["fixed_first_time", "work_thoroughness", "ready_on_time", "charges_explained", "lounge_comfort",
             "facility_clean", "advisor_courtesy", "advisor_explained", "appointment_ease", "reception_speed"]
    return {**dict.fromkeys(rated, 9), "recommend": 10, **overrides}


async def test_a_visit_through_the_customer_service_leads_to_one_invitation_answered_on_the_public_path(stack):
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=15) as client:
        headers = await admin_headers(client, stack)
        current = await client.get(f"/api/v1/surveys/settings/{DEALER}", headers=headers)
        settings = await client.put(f"/api/v1/surveys/settings/{DEALER}", json={"csi_delay_hours": 0},
                                    headers={**headers, "If-Match": current.headers["ETag"]})
        assert settings.status_code == 200, settings.text

        mobile = f"139{random.randint(0, 99_999_999):08d}"
        created = await client.post("/api/v1/customers", headers=headers,
                                    json={"name": "张敏", "mobile": mobile, "dealer_id": DEALER})
        assert created.status_code == 201, created.text
        customer_id = created.json()["id"]
        consent = await client.post(f"/api/v1/customers/{customer_id}/consents", headers=headers,
                                    json={"purpose": "survey", "channel": "sms", "granted": True,
                                          "source": "service reception"})
        assert consent.status_code in (200, 201), consent.text
        visit = await client.post("/api/v1/visits", headers=headers, json={
            "customer_id": customer_id, "kind": "service", "subkind": "maintenance",
            "visited_on": date.today().isoformat(), "amount": "680.00", "order_number": "RO-E2E-0001",
            "closed": True})
        assert visit.status_code == 201, visit.text

        async def sent():
            listed = await client.get("/api/v1/surveys/invitations", headers=headers,
                                      params={"customer_id": customer_id})
            items = listed.json()["items"] if listed.status_code == 200 else []
            return items if items and items[0]["status"] == "sent" else None

        [invitation] = await eventually(sent, timeout=60)
        assert invitation["kind"] == "csi" and invitation["dealer_id"] == DEALER
        link = invitation["link_path"]

        questionnaire = await client.get(link)
        assert questionnaire.status_code == 200, questionnaire.text
        assert questionnaire.json()["kind"] == "csi" and questionnaire.json()["language"] == "zh-CN"
        refused = await client.post(link, json={"answers": answers(recommend=11, ready_on_time=None)})
        assert refused.status_code == 422
        assert {e["pointer"] for e in refused.json()["errors"]} == {"/answers/recommend", "/answers/ready_on_time"}
        answered = await client.post(link, json={"answers": answers()})
        assert answered.status_code == 201, answered.text
        again = await client.post(link, json={"answers": answers(recommend=0)})
        assert again.status_code == 200 and again.json()["response_id"] == answered.json()["response_id"]

        responses = await client.get("/api/v1/surveys/responses", headers=headers,
                                     params={"customer_id": customer_id})
        [response] = responses.json()["items"]
        assert response["index"] == 900.0 and response["nps_category"] == "promoter"
        listed = await client.get("/api/v1/surveys/invitations", headers=headers, params={"customer_id": customer_id})
        assert [i["status"] for i in listed.json()["items"]] == ["answered"]
