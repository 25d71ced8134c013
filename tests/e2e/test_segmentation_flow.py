"""Through the gateway as an administrator: visits recorded on the customer service change the profile,
the retention status, segment membership and the dealer's KPIs in segmentation."""

import random
import uuid
from datetime import date, timedelta

import httpx
import pytest

from crm_devstack.pytest_plugin import eventually

pytestmark = pytest.mark.timeout(240)

WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
VALUES = {**{str(d): d for d in range(10)}, **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
          **dict(zip("JKLMN", range(1, 6), strict=True)), "P": 7, "R": 9,
          **dict(zip("STUVWXYZ", range(2, 10), strict=True))}


def china_vin() -> str:
    """A fresh VIN starting with L whose check digit (position 9) is right."""
    body = "LFV2A21K" + "0" + "".join(random.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(8))
    total = sum(VALUES[c] * w for c, w in zip(body, WEIGHTS, strict=True)) % 11
    return body[:8] + ("X" if total == 10 else str(total)) + body[9:]


def months_ago(months: int) -> date:
    return date.today() - timedelta(days=round(months * 30.44))


@pytest.fixture(scope="module")
def gateway(stack):
    return stack.url("gateway")


async def admin(client: httpx.AsyncClient, stack) -> dict:
    response = await client.post("/auth/token", data={"grant_type": "password", "username": "admin",
                                                      "password": stack.admin_password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_visits_through_the_customer_service_drive_profiles_segments_and_kpis(stack, gateway):
    dealer = f"D-SEG-{uuid.uuid4().hex[:6]}"
    async with httpx.AsyncClient(base_url=gateway, timeout=20) as client:
        headers = await admin(client, stack)
        mobile = "139" + "".join(random.choice("0123456789") for _ in range(8))
        created = await client.post("/api/v1/customers", headers=headers,
                                    json={"name": "张伟", "mobile": mobile, "dealer_id": dealer})
        assert created.status_code == 201, created.text
        customer = created.json()["id"]
        car = await client.post("/api/v1/vehicles", headers=headers, json={
            "customer_id": customer, "vin": china_vin(), "brand": "Toyota", "model": "Camry",
            "delivery_date": months_ago(40).isoformat(), "sold_by_dealer": True})
        assert car.status_code == 201, car.text
        service = {"customer_id": customer, "vehicle_id": car.json()["id"], "kind": "service",
                   "subkind": "maintenance", "amount": "880.00", "margin": "300.00", "odometer_km": 42_000}
        recorded = await client.post("/api/v1/visits", headers=headers, json={
            **service, "visited_on": months_ago(15).isoformat(), "order_number": f"RO-{uuid.uuid4().hex[:8]}"})
        assert recorded.status_code == 201, recorded.text

        async def profile(check):
            async def shown():
                response = await client.get(f"/api/v1/profiles/{customer}", headers=headers)
                return response.json() if response.status_code == 200 and check(response.json()) else None
            return await eventually(shown, timeout=60)

        dormant = await profile(lambda p: p["visits_total"] == 1)
        assert dormant["retention_status"] == "dormant" and dormant["dealer_id"] == dealer
        assert dormant["vehicle_profiles"][0]["status_reason"].startswith("dormant: 15 months since last service")

        segment = await client.post("/api/v1/segments", headers=headers, json={
            "dealer_id": dealer, "name": "win back", "kind": "dynamic",
            "filter": {"field": "retention_status", "op": "eq", "value": "dormant"}})
        assert segment.status_code == 201, segment.text
        assert segment.json()["members"] == 1

        kpis = await client.get("/api/v1/kpis/grasp-rate", headers=headers, params={"dealer_id": dealer})
        assert kpis.status_code == 200
        age_3 = kpis.json()["by_age"][3]
        assert (age_3["sold"], age_3["grasped"], age_3["grasp_rate"]) == (1, 0, 0.0)

        recorded = await client.post("/api/v1/visits", headers=headers, json={
            **service, "visited_on": date.today().isoformat(), "order_number": f"RO-{uuid.uuid4().hex[:8]}"})
        assert recorded.status_code == 201, recorded.text
        active = await profile(lambda p: p["visits_total"] == 2)
        assert active["retention_status"] == "active"

        async def left():
            members = await client.get(f"/api/v1/segments/{segment.json()['id']}/members", headers=headers)
            return members.status_code == 200 and members.json()["items"] == []

        await eventually(left, timeout=30)
        kpis = await client.get("/api/v1/kpis/grasp-rate", headers=headers, params={"dealer_id": dealer})
        assert kpis.json()["by_age"][3]["grasp_rate"] == 1.0

        job = await client.post("/api/v1/scoring/jobs", headers=headers, json={"dealer_id": dealer})
        assert job.status_code == 202, job.text

        async def finished():
            response = await client.get(f"/api/v1/scoring/jobs/{job.json()['id']}", headers=headers)
            return response.json() if response.json()["status"] in ("done", "failed") else None

        assert (await eventually(finished, timeout=60))["status"] == "done"
        scored = await profile(lambda p: p["recency_score"] is not None)
        assert scored["abc_class"] == "A" and scored["rfm_segment"]
