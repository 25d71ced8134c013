"""A survey hot alert becomes a complaint case; the mobile app's rescue request reaches the partner topic."""

import uuid

from crm_contracts.events.survey import HotAlertRaised
from crm_devstack.pytest_plugin import eventually

from .conftest import now


async def test_a_hot_alert_from_the_survey_topic_becomes_one_case_with_an_urgent_call(
        care, auth, publish, care_events):
    customer, alert = uuid.uuid4(), uuid.uuid4()
    raised = HotAlertRaised(alert_id=alert, response_id=uuid.uuid4(), customer_id=customer, dealer_id="D1",
                            survey_kind="csi", question_id="q-advisor", question_text="服务顾问的态度", score=2,
                            comment="等了两个小时", raised_at=now())
    await publish(raised, service="survey", subject=customer)
    await publish(raised, service="survey", subject=customer)  # re-published with a new event id

    async def case():
        found = (await care.get("/api/v1/care/cases", params={"customer_id": str(customer)},
                                headers=auth())).json()["items"]
        return found or None

    [opened] = await eventually(case)
    assert opened["source"] == "hot_alert" and opened["alert_id"] == str(alert) and opened["state"] == "open"
    assert "等了两个小时" in opened["summary"]
    tasks = (await care.get("/api/v1/care/tasks", params={"customer_id": str(customer)}, headers=auth())).json()
    assert [(t["reason"], t["priority"]) for t in tasks["items"]] == [("complaint_follow_up", "urgent")]
    assert (await care.get(f"/api/v1/care/cases/{opened['id']}", headers=auth(dealers=["D2"]))).status_code == 404

    moved = await care.post(f"/api/v1/care/cases/{opened['id']}/actions", headers=auth(),
                            json={"action": "resolve", "resolution": "道歉并免费洗车"})
    assert moved.json()["state"] == "resolved"
    refused = await care.post(f"/api/v1/care/cases/{opened['id']}/actions", headers=auth(), json={"action": "close"})
    assert refused.status_code == 409
    closed = await care.post(f"/api/v1/care/cases/{opened['id']}/actions", headers=auth(),
                             json={"action": "close", "resolution_confirmed": True})
    assert closed.json()["state"] == "closed"

    published = await care_events(customer, count=4)
    assert [e.type for e in published] == ["crm.care.task.created.v1", "crm.complaint.opened.v1",
                                           "crm.complaint.resolved.v1", "crm.complaint.closed.v1"]
    assert published[1].data["alert_id"] == str(alert)


async def test_a_rescue_request_publishes_rescue_requested_and_queues_an_urgent_task(care, auth, care_events):
    customer, vehicle = uuid.uuid4(), uuid.uuid4()
    app = auth(scope=["rescue:request"])
    bad = await care.post("/api/v1/care/rescue", headers=app,
                          json={"customer_id": str(customer), "latitude": 123, "longitude": 116.4,
                                "description": "", "colour": "red"})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert {e["pointer"] for e in bad.json()["errors"]} == {"/latitude", "/description", "/colour"}

    created = await care.post("/api/v1/care/rescue", headers=app, json={
        "customer_id": str(customer), "vehicle_id": str(vehicle), "latitude": 39.9087, "longitude": 116.3975,
        "description": "京藏高速爆胎"})
    assert created.status_code == 201, created.text
    rescue = created.json()
    assert rescue["status"] == "requested"
    assert (await care.post("/api/v1/care/rescue", headers=auth(scope=["care:read"]), json={})).status_code == 403

    events = await care_events(customer, count=2)
    requested = next(e for e in events if e.type == "crm.rescue.requested.v1")
    assert requested.data["rescue_id"] == rescue["id"] and requested.data["latitude"] == 39.9087
    assert requested.dealerid == "D1" and requested.source == "/crm/care"
    tasks = (await care.get("/api/v1/care/tasks", params={"customer_id": str(customer)}, headers=auth())).json()
    assert [(t["kind"], t["priority"], t["rescue_id"]) for t in tasks["items"]] == [("rescue", "urgent", rescue["id"])]

    moved = await care.post(f"/api/v1/care/rescue/{rescue['id']}/status", headers=auth(),
                            json={"status": "dispatched"})
    assert moved.json()["status"] == "dispatched"
    assert (await care.post(f"/api/v1/care/rescue/{rescue['id']}/status", headers=auth(),
                            json={"status": "requested"})).status_code == 422
